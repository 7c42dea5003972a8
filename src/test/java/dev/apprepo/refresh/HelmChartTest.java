package dev.apprepo.refresh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart of deploy/helm as Helm itself lints and renders it: with its defaults and with the values of each way
 * it is meant to be installed (src/test/resources/helm), every rendering parses into the Kubernetes model and
 * passes the checks of {@link Manifests}; wrong values fail with a message that names them.
 */
class HelmChartTest {

    private static final Path VALUES = Path.of("src/test/resources/helm");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Helm HELM = HelmChart.helm();
    // cluster-wide: the release's namespace is part of its name
    private static final String RECEIVERS_ROLE = HelmChart.NAMESPACE + "-apprepo-refresh-receivers";

    private static Manifests render(String... valuesFiles) {
        List<Path> files = Stream.of(valuesFiles).map(VALUES::resolve).toList();
        String rendering = HelmChart.template(HELM, files);
        Manifests manifests = Manifests.parse(rendering, "helm template " + files);
        manifests.assertServiceIsDeployedAsItMustBe();
        return manifests;
    }

    @Test
    void lintFindsNothingToWarnAbout() {
        LintResult result = HELM.lint().strict().call();

        assertFalse(result.isFailed(), result.getMessages().toString());
        // INFO is all that is left: the chart has no icon of its own
        assertTrue(result.getMessages().stream().allMatch(message -> message.startsWith("[INFO]")),
                result.getMessages().toString());
    }

    @Test
    void theChartIsTheProjectsVersion() throws IOException {
        JsonNode chart = YAML.readTree(HelmChart.CHART.resolve("Chart.yaml").toFile());
        String pom = Files.readString(Path.of("pom.xml"));
        String version = pom.substring(pom.indexOf("<version>") + "<version>".length(), pom.indexOf("</version>"));

        assertEquals("v2", chart.path("apiVersion").asText());
        assertEquals(version.replace("-SNAPSHOT", ""), chart.path("appVersion").asText());
    }

    /** Each key of values.yaml says what it is for, and the schema knows it. */
    @Test
    void everyValueHasACommentAndASchema() throws IOException {
        List<String> lines = Files.readAllLines(HelmChart.CHART.resolve("values.yaml"));
        JsonNode schema = new ObjectMapper().readTree(HelmChart.CHART.resolve("values.schema.json").toFile());
        // values that are Kubernetes objects of their own, whose fields Kubernetes documents
        Set<String> objects = Set.of("resources", "podSecurityContext", "securityContext", "livenessProbe",
                "readinessProbe", "topologySpreadConstraints");
        Pattern key = Pattern.compile("^( *)([a-zA-Z]+):.*");
        String top = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher matcher = key.matcher(lines.get(i));
            if (!matcher.matches()) {
                continue;
            }
            if (matcher.group(1).isEmpty()) {
                top = matcher.group(2);
                assertTrue(schema.at("/properties").has(top), "the schema knows " + top);
            } else if (objects.contains(top)) {
                continue;
            }
            assertTrue(i > 0 && lines.get(i - 1).strip().startsWith("#"), "a comment above " + lines.get(i));
        }
    }

    @Test
    void theDefaultsRunTheServiceInItsOwnClusterWithTheHowTosSenders() {
        Manifests manifests = render();

        Deployment deployment = manifests.deployment();
        assertEquals(2, deployment.getSpec().getReplicas());
        assertEquals("apprepo-refresh:1.0.0", manifests.container().getImage());
        assertEquals(HelmChart.NAMESPACE, deployment.getMetadata().getNamespace());
        assertNull(manifests.env("REFRESH_CLUSTERS_CONFIG"), "in-cluster only");
        assertNull(manifests.env("REFRESH_RECEIVERS_CONFIG"), "bearer requests only");
        assertEquals("true", manifests.env("QUARKUS_LOG_CONSOLE_JSON_ENABLED"));
        assertEquals(110, deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds());
        assertEquals(5, manifests.container().getLifecycle().getPreStop().getSleep().getSeconds());
        manifests.assertTheSendersClusterRoleGrantsExactlyGetAndUpdateOnAppRepositories("apprepositories-refresh");
        assertTrue(manifests.named(Secret.class, "apprepositories-refresh-token").isPresent());
        assertEquals("kubeapps", manifests.named(ServiceAccount.class, "apprepositories-refresh").orElseThrow()
                .getMetadata().getNamespace());
        assertTrue(manifests.all(ConfigMap.class).isEmpty());
        assertTrue(manifests.all(Ingress.class).isEmpty());
        assertFalse(manifests.named(ClusterRole.class, RECEIVERS_ROLE).isPresent(),
                "no receivers, no rights of the service's own");
        assertFalse(manifests.kinds().contains("Namespace"), "helm install --create-namespace makes it");
        assertFalse(manifests.kinds().contains("HorizontalPodAutoscaler"));
        assertTrue(manifests.kinds().containsAll(List.of("NetworkPolicy", "PodDisruptionBudget")));
        assertTrue(manifests.one(NetworkPolicy.class).getSpec().getEgress().get(1).getTo().isEmpty(),
                "no apiServerCIDRs: the API servers' ports at any address");
        assertTrue(deployment.getMetadata().getLabels().keySet().containsAll(List.of("helm.sh/chart",
                "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                "app.kubernetes.io/managed-by")));
    }

    @Test
    void inClusterOnlyWithAnImageByDigest() {
        Manifests manifests = render("in-cluster.yaml");

        assertEquals(3, manifests.deployment().getSpec().getReplicas());
        assertEquals("registry.example.com/apprepo-refresh@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", manifests.container().getImage());
        assertEquals("Always", manifests.container().getImagePullPolicy());
        assertEquals("registry-example-com", manifests.deployment().getSpec().getTemplate().getSpec()
                .getImagePullSecrets().get(0).getName());
        assertNull(manifests.env("REFRESH_CLUSTERS_CONFIG"));
    }

    @Test
    void theKubeappsReleasesClustersConfigMapIsMountedAsItIs() {
        Manifests manifests = render("kubeapps-clusters.yaml");

        assertTrue(manifests.all(ConfigMap.class).isEmpty(), "Kubeapps' own, not a copy");
        Volume clusters = volume(manifests, "clusters");
        assertEquals("kubeapps-clusters-config", clusters.getConfigMap().getName());
        assertEquals("/etc/apprepo-refresh/clusters/clusters.conf", manifests.env("REFRESH_CLUSTERS_CONFIG"));
        assertFalse(manifests.kinds().contains("ServiceAccount") && manifests
                .named(ServiceAccount.class, "apprepositories-refresh").isPresent(), "the how-to's senders exist");
        assertFalse(manifests.named(Secret.class, "apprepositories-refresh-token").isPresent());
        assertTrue(manifests.named(ClusterRole.class, "apprepositories-refresh-audit").isPresent(),
                "the existing senders may record the audit Events");
        NetworkPolicyEgressRule apiServers = manifests.one(NetworkPolicy.class).getSpec().getEgress().get(1);
        assertEquals(List.of("10.0.0.0/24", "192.0.2.10/32"),
                apiServers.getTo().stream().map(peer -> peer.getIpBlock().getCidr()).toList());
        assertEquals(List.of(443, 6443, 8443), apiServers.getPorts().stream()
                .map(port -> port.getPort().getIntVal()).toList());
    }

    /** An entry may hold the service's serviceToken for its cluster: the file goes into a Secret. */
    @Test
    void inlineClustersGoIntoASecretThatRollsThePods() throws IOException {
        Manifests manifests = render("inline-receivers.yaml");

        assertTrue(manifests.all(ConfigMap.class).isEmpty(), "a credential in no ConfigMap");
        Secret secret = manifests.named(Secret.class, "apprepo-refresh-clusters").orElseThrow();
        JsonNode clusters = YAML.readTree(secret.getStringData().get("clusters.conf"));
        assertEquals("second", clusters.at("/1/name").asText());
        assertEquals("https://second.example.com:6443", clusters.at("/1/apiServiceURL").asText());
        assertEquals("second-cluster-token", clusters.at("/1/serviceToken").asText());
        assertEquals(secret.getMetadata().getName(), volume(manifests, "clusters").getSecret().getSecretName());
        assertEquals("/etc/apprepo-refresh/clusters/clusters.conf", manifests.env("REFRESH_CLUSTERS_CONFIG"));
        assertTrue(manifests.deployment().getSpec().getTemplate().getMetadata().getAnnotations()
                .containsKey("checksum/clusters"));
    }

    @Test
    void aConfigMapThatHoldsACredentialFailsTheChecks() {
        ConfigMap clusters = new ConfigMapBuilder().withNewMetadata()
                .withName("clusters").endMetadata()
                .addToData("clusters.conf", "[{\"name\": \"second\", \"serviceToken\": \"t\"}]").build();
        ConfigMap receivers = new ConfigMapBuilder().withNewMetadata()
                .withName("receivers").endMetadata().addToData("receivers.yaml", "receivers:\n  - secrets: [s]\n")
                .build();
        ConfigMap token = new ConfigMapBuilder().withNewMetadata()
                .withName("token").endMetadata().addToData("api-token", "t").build();
        ConfigMap harmless = new ConfigMapBuilder().withNewMetadata()
                .withName("harmless").endMetadata()
                .addToData("clusters.conf", "[{\"name\": \"default\", \"isKubeappsCluster\": true}]").build();

        for (ConfigMap config : List.of(clusters, receivers, token)) {
            assertThrows(AssertionError.class, () -> Manifests.assertHoldsNoCredential(config),
                    config.getMetadata().getName());
        }
        Manifests.assertHoldsNoCredential(harmless);
    }

    @Test
    void signedReceiversFromASecretOfOnesOwn() {
        Manifests manifests = render("signed-receivers.yaml");

        Volume receivers = volume(manifests, "receivers");
        assertEquals("refresh-receivers", receivers.getSecret().getSecretName());
        assertTrue(receivers.getSecret().getItems().isEmpty(), "the whole Secret, which the kubelet keeps up to date");
        assertEquals("/etc/apprepo-refresh/receivers/receivers.yaml", manifests.env("REFRESH_RECEIVERS_CONFIG"));
        assertEquals("5s", manifests.env("REFRESH_API_TIMEOUT"));
        assertEquals("false", manifests.env("QUARKUS_LOG_CONSOLE_JSON_ENABLED"));
        assertTrue(manifests.all(Secret.class).stream()
                .noneMatch(secret -> secret.getMetadata().getName().contains("receivers")), "the Secret is theirs");

        assertEquals("refresh-service", manifests.deployment().getSpec().getTemplate().getSpec()
                .getServiceAccountName());
        assertEquals("refresh", manifests.named(ServiceAccount.class, "refresh-service").orElseThrow().getMetadata()
                .getAnnotations().get("example.com/role"));
        assertEquals(List.of("kubeapps", "team-a"), receiverBindings(manifests));
    }

    @Test
    void inlineReceiversGoIntoASecretAndBindTheServiceInTheirNamespaces() throws IOException {
        Manifests manifests = render("inline-receivers.yaml");

        Secret secret = manifests.named(Secret.class, "apprepo-refresh-receivers").orElseThrow();
        JsonNode file = YAML.readTree(secret.getStringData().get("receivers.yaml"));
        assertEquals(3, file.path("receivers").size());
        assertEquals("github", file.at("/receivers/0/type").asText());
        assertEquals("sha512", file.at("/receivers/2/algorithm").asText());
        assertEquals("apprepo-refresh-receivers", volume(manifests, "receivers").getSecret().getSecretName());
        assertTrue(manifests.all(ConfigMap.class).isEmpty(), "no receiver in a ConfigMap");
        assertTrue(manifests.deployment().getSpec().getTemplate().getMetadata().getAnnotations()
                .containsKey("checksum/receivers"));
        // far-away is on the cluster "second": a RoleBinding here would bind in the wrong cluster
        assertEquals(List.of("kubeapps", "team-a"), receiverBindings(manifests));
        ClusterRole role = manifests.named(ClusterRole.class, RECEIVERS_ROLE).orElseThrow();
        assertEquals(2, role.getRules().size());
    }

    /** Kubeapps' host sends its refresh path here, and nothing else of it. */
    @Test
    void theKubeappsHostRoutesOnlyTheRefreshPrefixHere() {
        Manifests manifests = render("kubeapps-host.yaml");

        Ingress ingress = manifests.one(Ingress.class);
        assertEquals("nginx", ingress.getSpec().getIngressClassName());
        assertEquals(1, ingress.getSpec().getRules().size());
        assertEquals("kubeapps.example.com", ingress.getSpec().getRules().get(0).getHost());
        var paths = ingress.getSpec().getRules().get(0).getHttp().getPaths();
        assertEquals(1, paths.size());
        assertEquals("/api/v1/clusters/", paths.get(0).getPath());
        assertEquals("Prefix", paths.get(0).getPathType());
        assertEquals(List.of("kubeapps.example.com"), ingress.getSpec().getTls().get(0).getHosts());
        assertEquals("kubeapps.example.com-tls", ingress.getSpec().getTls().get(0).getSecretName());
        assertEquals("3m", ingress.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/proxy-body-size"));
    }

    @Test
    void theAutoscalerSetsTheReplicas() {
        Manifests manifests = render("autoscaling.yaml");

        assertNull(manifests.deployment().getSpec().getReplicas(), "left to the autoscaler");
        HorizontalPodAutoscaler autoscaler = manifests.one(HorizontalPodAutoscaler.class);
        assertEquals(2, autoscaler.getSpec().getMinReplicas());
        assertEquals(6, autoscaler.getSpec().getMaxReplicas());
        assertEquals(70, autoscaler.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization());
    }

    /** helm template knows no cluster: without monitoring.coreos.com/v1 there is no ServiceMonitor to create. */
    @Test
    void noServiceMonitorWhereTheClusterServesNone() {
        Manifests manifests = render("service-monitor.yaml");

        assertFalse(manifests.kinds().contains(Manifests.SERVICE_MONITOR));
        assertTrue(manifests.deployment().getSpec().getTemplate().getMetadata().getAnnotations().isEmpty(),
                "no prometheus.io annotations either");
    }

    @ParameterizedTest
    @ValueSource(strings = {"in-cluster.yaml", "kubeapps-clusters.yaml", "signed-receivers.yaml",
            "inline-receivers.yaml", "kubeapps-host.yaml", "autoscaling.yaml", "service-monitor.yaml"})
    void everyValuesFileRendersWhatTheManifestsMustSay(String values) {
        render(values).assertServiceIsDeployedAsItMustBe();
    }

    /**
     * The service refreshes with its own ServiceAccount on the clusters whose entry has no apiServiceURL (and no
     * serviceToken of its own), whatever their name; a receiver without a cluster is on the one named default.
     */
    static Stream<Arguments> receiversOnTheServicesOwnCluster() {
        return Stream.of(
                Arguments.of("no clusters file: default is the service's own cluster", """
                        receivers:
                          inline:
                            - {name: a, type: github, namespace: team-a, repository: r, secrets: [s]}
                            - {name: b, type: github, cluster: default, namespace: team-b, repository: r, secrets: [s]}
                        """, List.of("team-a", "team-b")),
                Arguments.of("the entry without apiServiceURL, whatever its name", """
                        clusters:
                          config:
                            - {name: here}
                            - {name: default, apiServiceURL: "https://default.example.com"}
                        receivers:
                          inline:
                            - {name: a, type: github, cluster: here, namespace: team-a, repository: r, secrets: [s]}
                            - {name: b, type: github, namespace: team-b, repository: r, secrets: [s]}
                        """, List.of("team-a")),
                Arguments.of("an entry with a serviceToken of its own needs no rights of the ServiceAccount", """
                        clusters:
                          config:
                            - {name: default, serviceToken: a-token}
                        receivers:
                          inline:
                            - {name: a, type: github, namespace: team-a, repository: r, secrets: [s]}
                          namespaces: [kubeapps]
                        """, List.of("kubeapps")),
                Arguments.of("a clusters ConfigMap the chart cannot read: receivers.namespaces only", """
                        clusters:
                          existingConfigMap: {name: kubeapps-clusters-config}
                        receivers:
                          inline:
                            - {name: a, type: github, namespace: team-a, repository: r, secrets: [s]}
                          namespaces: [kubeapps]
                        """, List.of("kubeapps")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("receiversOnTheServicesOwnCluster")
    void theServiceIsBoundWhereItsReceiversRefreshWithItsOwnServiceAccount(String name, String values,
            List<String> namespaces, @TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), values);
        Manifests manifests = Manifests.parse(HelmChart.template(HELM, List.of(file)), name);
        manifests.assertServiceIsDeployedAsItMustBe();

        assertEquals(namespaces, receiverBindings(manifests));
    }

    @Test
    void receiversBindAServiceAccountOfOnesOwnByItsName(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), """
                serviceAccount: {create: false, name: refresh-existing}
                receivers: {namespaces: [kubeapps]}
                """);
        Manifests manifests = Manifests.parse(HelmChart.template(HELM, List.of(file)), "an existing ServiceAccount");
        manifests.assertServiceIsDeployedAsItMustBe();

        assertEquals("refresh-existing", manifests.deployment().getSpec().getTemplate().getSpec()
                .getServiceAccountName());
        assertTrue(manifests.all(ServiceAccount.class).stream()
                .noneMatch(account -> account.getMetadata().getName().equals("refresh-existing")), "it is theirs");
        assertEquals(List.of("kubeapps"), receiverBindings(manifests));
        assertEquals(List.of("refresh-existing"), manifests.all(RoleBinding.class).stream()
                .filter(binding -> binding.getRoleRef().getName().equals(RECEIVERS_ROLE))
                .map(binding -> binding.getSubjects().get(0).getName()).toList());
    }

    /** The notes' webhook URLs, and a warning wherever senders' tokens would cross the network in clear text. */
    static Stream<Arguments> notes() {
        String path = "/api/v1/clusters/<cluster>/namespaces/<namespace>/apprepositories/<name>/refresh";
        return Stream.of(
                Arguments.of("an Ingress with TLS", """
                        ingress:
                          enabled: true
                          hosts: [refresh.example.com]
                          tls: [{hosts: [refresh.example.com], secretName: refresh-tls}]
                        """, List.of("https://refresh.example.com" + path), List.of("WARNING", "http://")),
                Arguments.of("an Ingress without TLS", """
                        ingress: {enabled: true, hosts: [refresh.example.com]}
                        """, List.of("http://refresh.example.com" + path,
                        "WARNING: no TLS for refresh.example.com (ingress.tls): the senders' bearer tokens would "
                                + "cross the network in clear"),
                        List.of("https://")),
                Arguments.of("TLS for one host of two", """
                        ingress:
                          enabled: true
                          hosts: [refresh.example.com, plain.example.com]
                          tls: [{hosts: [refresh.example.com], secretName: refresh-tls}]
                        """, List.of("https://refresh.example.com" + path, "http://plain.example.com" + path,
                        "WARNING: no TLS for plain.example.com (ingress.tls)"), List.of("refresh.example.com (")),
                Arguments.of("a TLS entry without hosts covers every host", """
                        ingress:
                          enabled: true
                          hosts: [refresh.example.com]
                          tls: [{secretName: refresh-tls}]
                        """, List.of("https://refresh.example.com" + path), List.of("WARNING")),
                Arguments.of("Kubeapps' host with its TLS Secret", """
                        kubeappsIngress: {host: kubeapps.example.com, tlsSecretName: kubeapps-tls}
                        """, List.of("https://kubeapps.example.com" + path), List.of("WARNING")),
                Arguments.of("Kubeapps' host without a TLS Secret", """
                        kubeappsIngress: {host: kubeapps.example.com}
                        """, List.of("http(s)://kubeapps.example.com" + path,
                        "WARNING: kubeappsIngress.tlsSecretName is empty"), List.of()),
                Arguments.of("no Ingress: a port-forward", "ingress: {enabled: false}",
                        List.of("http://127.0.0.1:8080" + path, "port-forward"), List.of("WARNING")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notes")
    void theNotesGiveTheWebhookUrlAndWarnWithoutTls(String name, String values, List<String> present,
            List<String> absent, @TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), values);

        String notes = HELM.install().withName(HelmChart.RELEASE).withNamespace(HelmChart.NAMESPACE)
                .withValuesFile(file).clientOnly().dryRun().call().getOutput();

        present.forEach(text -> assertTrue(notes.contains(text), text + " in\n" + notes));
        absent.forEach(text -> assertFalse(notes.contains(text), text + " in\n" + notes));
    }

    /** The defaults are what {@link Manifests} checks every rendering for; a cluster of one's own may differ. */
    @Test
    void aRolloutOfOnesOwn(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), "rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}");
        Manifests manifests = Manifests.parse(HelmChart.template(HELM, List.of(file)), "a rollout of one's own");

        var rollout = manifests.deployment().getSpec().getStrategy().getRollingUpdate();
        assertEquals("25%", rollout.getMaxSurge().getStrVal());
        assertEquals(1, rollout.getMaxUnavailable().getIntVal());
    }

    /** The image's launcher holds the JVM options; the chart passes on only what a release adds or replaces. */
    @Test
    void theJvmOptionsAreTheImagesUnlessAReleaseAddsToThem(@TempDir Path dir) throws IOException {
        Manifests defaults = Manifests.parse(HelmChart.template(HELM, List.of()), "the defaults");
        assertNull(defaults.env("JAVA_OPTS_APPEND"));
        assertNull(defaults.env("GC_CONTAINER_OPTIONS"));

        Path file = Files.writeString(dir.resolve("values.yaml"),
                "jvm: {options: -Xmx96m -XX:+ExitOnOutOfMemoryError, gcOptions: -XX:+UseParallelGC}");
        Manifests added = Manifests.parse(HelmChart.template(HELM, List.of(file)), "JVM options of one's own");
        assertEquals("-Xmx96m -XX:+ExitOnOutOfMemoryError", added.env("JAVA_OPTS_APPEND"));
        assertEquals("-XX:+UseParallelGC", added.env("GC_CONTAINER_OPTIONS"));
    }

    /** The lists a NetworkPolicy must not have empty only matter when the chart creates one. */
    @Test
    void noNetworkPolicyNeedsNoSourcesOrPorts(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"),
                "networkPolicy: {enabled: false, ingressNamespaces: [], apiServerPorts: []}");
        Manifests manifests = Manifests.parse(HelmChart.template(HELM, List.of(file)), "no NetworkPolicy");

        assertFalse(manifests.kinds().contains("NetworkPolicy"), manifests.kinds().toString());
    }

    @Test
    void aSpreadConstraintKeepsItsOwnLabelSelector(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), """
                podLabels: {team: charts}
                topologySpreadConstraints:
                  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
                     labelSelector: {matchLabels: {team: charts}}}
                  - {maxSkew: 2, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}
                """);
        String rendering = HelmChart.template(HELM, List.of(file));
        Manifests manifests = Manifests.parse(rendering, "a spread of one's own");
        manifests.assertServiceIsDeployedAsItMustBe();

        var spread = manifests.deployment().getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
        assertEquals(Map.of("team", "charts"), spread.get(0).getLabelSelector().getMatchLabels());
        assertEquals(manifests.deployment().getSpec().getSelector().getMatchLabels(),
                spread.get(1).getLabelSelector().getMatchLabels());
        assertEquals(2, rendering.split("labelSelector:", -1).length - 1, "one labelSelector per constraint");
    }

    /** Each name keeps its suffix when the full name is as long as it may be, and no two objects of a kind meet. */
    @Test
    void aLongNameKeepsEveryObjectApart(@TempDir Path dir) throws IOException {
        String fullname = "a".repeat(63);
        Path file = Files.writeString(dir.resolve("values.yaml"), """
                fullnameOverride: %s
                clusters: {config: [{name: default}]}
                receivers:
                  inline:
                    - {name: a, type: github, namespace: kubeapps, repository: r, secrets: [s]}
                ingress: {enabled: true, hosts: [refresh.example.com], tls: [{secretName: refresh-tls}]}
                kubeappsIngress: {host: kubeapps.example.com}
                """.formatted(fullname));
        Manifests manifests = Manifests.parse(HelmChart.template(HELM, List.of(file)), "a long name");
        manifests.assertServiceIsDeployedAsItMustBe();

        for (String kind : Set.copyOf(manifests.kinds())) {
            List<String> names = manifests.all().stream().filter(resource -> resource.getKind().equals(kind))
                    .map(resource -> resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName())
                    .toList();
            assertEquals(Set.copyOf(names).size(), names.size(), kind + ": " + names);
        }
        List<String> names = manifests.all(Ingress.class).stream().map(ingress -> ingress.getMetadata().getName())
                .sorted().toList();
        assertEquals(List.of("a".repeat(54) + "-kubeapps", fullname), names);
        assertTrue(manifests.named(Secret.class, "a".repeat(53) + "-receivers").isPresent());
        assertTrue(manifests.named(Secret.class, "a".repeat(54) + "-clusters").isPresent());
        manifests.all().forEach(resource -> assertTrue(resource.getKind().startsWith("Cluster")
                || resource.getKind().equals("RoleBinding") || resource.getMetadata().getName().length() <= 63,
                resource.getMetadata().getName()));
    }

    /** Releases of one name in two namespaces: the cluster-wide role, and its bindings, are each their own. */
    @Test
    void theServicesClusterRoleNamesTheReleasesNamespace(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), "receivers: {namespaces: [kubeapps]}");
        List<String> roles = new ArrayList<>();
        for (String namespace : List.of("team-a", "team-b")) {
            Manifests manifests = Manifests.parse(HELM.template().withName(HelmChart.RELEASE)
                    .withNamespace(namespace).withValuesFile(file).call(), namespace);
            ClusterRole role = manifests.all(ClusterRole.class).stream()
                    .filter(found -> found.getMetadata().getName().endsWith("-receivers")).findFirst().orElseThrow();
            RoleBinding binding = manifests.all(RoleBinding.class).stream()
                    .filter(found -> found.getRoleRef().getName().equals(role.getMetadata().getName()))
                    .findFirst().orElseThrow();
            assertEquals(role.getMetadata().getName(), binding.getMetadata().getName());
            roles.add(role.getMetadata().getName());
        }
        assertEquals(List.of("team-a-apprepo-refresh-receivers", "team-b-apprepo-refresh-receivers"), roles);
    }

    /** The senders' token Secret follows senders.create unless told otherwise. */
    static Stream<Arguments> senderTokens() {
        return Stream.of(
                Arguments.of("the chart's senders", "senders: {create: true}", true),
                Arguments.of("existing senders keep their own", "senders: {create: false}", false),
                Arguments.of("a token for existing senders", "senders: {create: false, token: {create: true}}", true),
                Arguments.of("bounded tokens only", "senders: {create: true, token: {create: false}}", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("senderTokens")
    void theSendersTokenFollowsTheSenders(String name, String values, boolean token, @TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), values);
        Manifests manifests = Manifests.parse(HelmChart.template(HELM, List.of(file)), name);

        assertEquals(token, manifests.named(Secret.class, "apprepositories-refresh-token").isPresent());
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                Arguments.of("a negative replicaCount", "replicaCount: -1",
                        "replicaCount: Must be greater than or equal to 0"),
                Arguments.of("an unknown sender type", """
                        receivers:
                          inline:
                            - {name: x, type: bitbucket, namespace: kubeapps, repository: r, secrets: [s]}
                        """, "receivers.inline.0.type: receivers.inline.0.type must be one of the following: "
                        + "\"github\", \"gitlab\", \"nexus\", \"harbor\", \"generic-hmac\", \"standard-webhooks\""),
                Arguments.of("a receiver without secrets", """
                        receivers:
                          inline:
                            - {name: x, type: github, namespace: kubeapps, repository: r, secrets: []}
                        """, "receivers.inline.0.secrets: Array must have at least 1 items"),
                Arguments.of("a receivers Secret and inline receivers", """
                        receivers:
                          existingSecret: {name: mine}
                          inline:
                            - {name: x, type: github, namespace: kubeapps, repository: r, secrets: [s]}
                        """, "receivers: set either receivers.inline (the chart creates the Secret) or "
                        + "receivers.existingSecret.name (a Secret of yours), not both"),
                Arguments.of("a clusters ConfigMap and inline clusters", """
                        clusters:
                          existingConfigMap: {name: kubeapps-clusters-config}
                          config:
                            - {name: default}
                        """, "clusters: set either clusters.config (the chart creates the Secret) or "
                        + "clusters.existingConfigMap.name (a ConfigMap of yours, Kubeapps' own), not both"),
                Arguments.of("a pull policy Kubernetes does not know", "image: {pullPolicy: Sometimes}",
                        "image.pullPolicy: image.pullPolicy must be one of the following: \"Always\", "
                                + "\"IfNotPresent\", \"Never\""),
                Arguments.of("a misspelt key", "replicas: 3", "Additional property replicas is not allowed"),
                Arguments.of("a NetworkPolicy that lets in every source", "networkPolicy: {ingressNamespaces: []}",
                        "networkPolicy.ingressNamespaces: Array must have at least 1 items"),
                Arguments.of("a NetworkPolicy that lets out every port", "networkPolicy: {apiServerPorts: []}",
                        "networkPolicy.apiServerPorts: Array must have at least 1 items"),
                Arguments.of("a NetworkPolicy without its ports", "networkPolicy: {apiServerPorts: null}",
                        "networkPolicy: apiServerPorts is required"),
                Arguments.of("an API server address that is no CIDR", "networkPolicy: {apiServerCIDRs: [10.0.0.1]}",
                        "networkPolicy.apiServerCIDRs.0: Does not match pattern"),
                Arguments.of("receivers' rights for the namespace's default ServiceAccount", """
                        serviceAccount: {create: false}
                        receivers: {namespaces: [kubeapps]}
                        """, "serviceAccount: receivers get rights bound to the service's ServiceAccount: with "
                        + "serviceAccount.create=false, give its name in serviceAccount.name"),
                Arguments.of("a rollout's surge that is neither a number nor a percentage",
                        "rollingUpdate: {maxSurge: a-few}", "rollingUpdate.maxSurge: Does not match pattern"),
                Arguments.of("a rollout that can never start a new pod",
                        "rollingUpdate: {maxSurge: 0, maxUnavailable: 0}",
                        "rollingUpdate: maxSurge and maxUnavailable cannot both be 0"),
                Arguments.of("an Ingress without hosts", "ingress: {enabled: true, hosts: []}",
                        "ingress.hosts: Array must have at least 1 items"),
                Arguments.of("no preStop sleep", "preStopSleepSeconds: 0",
                        "preStopSleepSeconds: Must be greater than or equal to 1"),
                Arguments.of("fewer replicas at most than at least", "autoscaling: {enabled: true, minReplicas: 4, "
                        + "maxReplicas: 3}", "autoscaling: maxReplicas must be at least minReplicas"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongValues")
    void wrongValuesFailWithAMessageThatNamesThem(String name, String values, String message, @TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), values);

        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> HelmChart.template(HELM, List.of(file)));
        assertTrue(failure.getMessage().contains(message), failure.getMessage());
    }

    private static Volume volume(Manifests manifests, String name) {
        return manifests.deployment().getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(volume -> volume.getName().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> receiverBindings(Manifests manifests) {
        return manifests.all(RoleBinding.class).stream()
                .filter(binding -> binding.getRoleRef().getName().equals(RECEIVERS_ROLE))
                .peek(binding -> assertEquals(Map.of("kind", "ServiceAccount", "namespace", HelmChart.NAMESPACE),
                        Map.of("kind", binding.getSubjects().get(0).getKind(), "namespace",
                                binding.getSubjects().get(0).getNamespace())))
                .map(binding -> binding.getMetadata().getNamespace()).sorted().toList();
    }
}
