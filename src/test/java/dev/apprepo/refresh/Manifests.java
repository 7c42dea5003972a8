package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.apprepo.refresh.support.Durations;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the service's manifests must say, however they are made: the files of deploy/kubernetes and every rendering
 * of the Helm chart go through the same checks.
 */
final class Manifests {

    /** The only kind the Kubernetes model does not know that a manifest may hold. */
    static final String SERVICE_MONITOR = "ServiceMonitor";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    // a key that names a credential, as a key of a ConfigMap's data or of a YAML or JSON file it holds
    private static final Pattern CREDENTIAL_KEY = Pattern
            .compile("(?i)(token|secret|password|passwd|credential|private[-_]?key)s?\"?\\s*:");

    private final List<HasMetadata> resources;

    private Manifests(List<HasMetadata> resources) {
        this.resources = List.copyOf(resources);
    }

    /** Each document of the YAML that has a kind, parsed into the Kubernetes model with no field it does not know. */
    static Manifests parse(String yaml, String where) {
        List<HasMetadata> resources = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            if (document.lines().noneMatch(line -> line.startsWith("kind:"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(document);
            assertTrue(parsed instanceof HasMetadata, where + ": not a Kubernetes object: " + parsed.getClass());
            HasMetadata resource = (HasMetadata) parsed;
            assertTrue(!(parsed instanceof GenericKubernetesResource) || SERVICE_MONITOR.equals(resource.getKind()),
                    where + ": not a Kubernetes kind: " + resource.getKind());
            assertNoUnknownFields(parsed, where + " " + resource.getKind());
            resources.add(resource);
        }
        return new Manifests(resources);
    }

    static Manifests read(List<Path> files) {
        List<HasMetadata> resources = new ArrayList<>();
        for (Path file : files) {
            try {
                resources.addAll(parse(Files.readString(file), file.toString()).resources);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Manifests(resources);
    }

    List<HasMetadata> all() {
        return resources;
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> kind) {
        List<T> found = all(kind);
        assertEquals(1, found.size(), "one " + kind.getSimpleName() + ": " + found.size());
        return found.get(0);
    }

    <T extends HasMetadata> Optional<T> named(Class<T> kind, String name) {
        return all(kind).stream().filter(resource -> resource.getMetadata().getName().equals(name)).findFirst();
    }

    List<String> kinds() {
        return resources.stream().map(HasMetadata::getKind).toList();
    }

    Deployment deployment() {
        return one(Deployment.class);
    }

    Container container() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The container's environment variable, or null. */
    String env(String name) {
        return container().getEnv().stream().filter(env -> env.getName().equals(name)).findFirst()
                .map(env -> env.getValue()).orElse(null);
    }

    /** The model keeps fields it does not know aside: any there is a misspelt or misplaced field. */
    static void assertNoUnknownFields(Object value, String where) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum || value instanceof GenericKubernetesResource) {
            return;
        }
        if (value instanceof Collection<?> items) {
            items.forEach(item -> assertNoUnknownFields(item, where));
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.values().forEach(item -> assertNoUnknownFields(item, where));
            return;
        }
        if (!(value instanceof KubernetesResource) && !value.getClass().getPackageName().startsWith("io.fabric8")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object property;
            try {
                property = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (property instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
                    fail(where + " has fields the Kubernetes model does not know: " + unknown.keySet() + " in "
                            + value.getClass().getSimpleName());
                }
            } else {
                assertNoUnknownFields(property, where);
            }
        }
    }

    /** Every check below that applies to what these manifests hold. */
    void assertServiceIsDeployedAsItMustBe() {
        assertTheServiceRunsLockedDownWithProbesAndLimits();
        assertTheGracePeriodHoldsTheWholeShutdown();
        assertReplicasSpreadAcrossNodesAndLeaveOneAtATime();
        assertTheDeploymentRunsTheJvmOfTheImage();
        assertTheServiceSelectsThePods();
        all(ClusterRole.class).forEach(Manifests::assertGrantsNoMoreThanARefreshNeeds);
        all(Ingress.class).forEach(this::assertRoutesOnlyTheRefreshEndpoint);
        all(RoleBinding.class).forEach(this::assertBindsARoleOfTheseManifests);
        all(NetworkPolicy.class).forEach(this::assertLetsThroughOnlyWhatItNames);
        all(ConfigMap.class).forEach(Manifests::assertHoldsNoCredential);
    }

    /** Anyone who may read ConfigMaps may read a credential put in one: credentials go into Secrets. */
    static void assertHoldsNoCredential(ConfigMap config) {
        String name = config.getMetadata().getName();
        Map<String, String> data = config.getData() == null ? Map.of() : config.getData();
        data.forEach((key, content) -> {
            assertFalse(CREDENTIAL_KEY.matcher(key + ":").find(), "ConfigMap " + name + " has a credential key " + key);
            assertFalse(CREDENTIAL_KEY.matcher(content).find(),
                    "ConfigMap " + name + "'s " + key + " holds a credential: " + CREDENTIAL_KEY.matcher(content)
                            .results().map(found -> found.group(1)).toList());
        });
        assertTrue(config.getBinaryData() == null || config.getBinaryData().isEmpty(), name);
    }

    void assertTheServiceRunsLockedDownWithProbesAndLimits() {
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        Container container = container();

        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
        assertNotNull(container.getResources().getRequests().get("memory"));
        assertNotNull(container.getResources().getRequests().get("cpu"), "the autoscaler's target is a share of it");
        assertNotNull(container.getResources().getLimits().get("memory"));
        assertNotNull(container.getResources().getLimits().get("cpu"));
        assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", container.getReadinessProbe().getHttpGet().getPath());
        assertTrue(pod.getVolumes().stream().anyMatch(volume -> volume.getEmptyDir() != null),
                "a writable /tmp, the root filesystem being read-only");
        assertTrue(container.getVolumeMounts().stream().allMatch(mount -> mount.getMountPath().equals("/tmp")
                || Boolean.TRUE.equals(mount.getReadOnly())), "only /tmp is writable");
    }

    /**
     * The grace period holds the whole of a shutdown: the preStop sleep, the drain delay, the wait for accepted
     * requests, Camel's, the audit Events' and the worker threads' own stop, and a margin for the JVM to exit. The
     * wait covers an update under way and the batch behind it when the API stalls: each a GET and a PUT, each call
     * within twice the API timeout.
     */
    void assertTheGracePeriodHoldsTheWholeShutdown() {
        Deployment deployment = deployment();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = container();
        Map<String, String> settings = serviceSettings(container);

        Duration preStop = Duration.ofSeconds(container.getLifecycle().getPreStop().getSleep().getSeconds());
        Duration drain = Durations.parse(settings.get("quarkus.shutdown.delay"));
        Duration requests = Durations.parse(settings.get("quarkus.shutdown.timeout"));
        Duration camel = Duration.ofSeconds(Long.parseLong(settings.get("camel.main.shutdown-timeout")));
        Duration threads = Durations.parse(settings.get("quarkus.thread-pool.shutdown-timeout"));
        Duration margin = Duration.ofSeconds(5);
        Duration apiTimeout = RefreshSettings.from(name -> Optional.ofNullable(settings.get(name))).apiTimeout();

        assertEquals("true", settings.get("quarkus.shutdown.delay-enabled"), "readiness goes DOWN on SIGTERM");
        assertTrue(drain.compareTo(Duration.ZERO) > 0, "a drain delay");
        assertTrue(requests.compareTo(apiTimeout.multipliedBy(8)) >= 0,
                "the wait for accepted requests (" + requests + ") covers two updates of an API that stalls");
        Duration idle = Durations.parse(settings.get("quarkus.http.idle-timeout"));
        assertTrue(idle.compareTo(requests) > 0,
                "a connection waiting silently for its refresh (" + requests + ") outlasts the idle timeout " + idle);
        Duration shutdown = preStop.plus(drain).plus(requests).plus(camel).plus(RefreshAudit.CLOSE_TIMEOUT)
                .plus(threads).plus(margin);
        assertTrue(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()).compareTo(shutdown) >= 0,
                "terminationGracePeriodSeconds holds " + shutdown);
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
        assertEquals(0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(),
                "a rollout keeps every replica until its successor is ready");
        assertEquals(1, deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal());
    }

    /** Spread over nodes; a budget and an autoscaler, where there are, that always leave a replica serving. */
    void assertReplicasSpreadAcrossNodesAndLeaveOneAtATime() {
        Deployment deployment = deployment();
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();

        assertTrue(pod.getTopologySpreadConstraints().stream()
                .anyMatch(spread -> spread.getTopologyKey().equals("kubernetes.io/hostname")
                        && podLabels.entrySet().containsAll(spread.getLabelSelector().getMatchLabels().entrySet())),
                "replicas spread over nodes");
        assertTrue(podLabels.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()));

        for (PodDisruptionBudget budget : all(PodDisruptionBudget.class)) {
            assertEquals(deployment.getMetadata().getNamespace(), budget.getMetadata().getNamespace());
            assertFalse(budget.getSpec().getSelector().getMatchLabels().isEmpty());
            assertTrue(podLabels.entrySet().containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()),
                    "the budget selects the Deployment's pods");
            if (deployment.getSpec().getReplicas() != null) {
                assertTrue(budget.getSpec().getMaxUnavailable().getIntVal() < deployment.getSpec().getReplicas(),
                        "an eviction leaves a replica serving");
            }
            for (HorizontalPodAutoscaler autoscaler : all(HorizontalPodAutoscaler.class)) {
                assertTrue(autoscaler.getSpec().getMinReplicas() > budget.getSpec().getMaxUnavailable().getIntVal(),
                        "the autoscaler never leaves an eviction without a replica");
            }
        }
        for (HorizontalPodAutoscaler autoscaler : all(HorizontalPodAutoscaler.class)) {
            assertEquals(deployment.getMetadata().getNamespace(), autoscaler.getMetadata().getNamespace());
            assertEquals("Deployment", autoscaler.getSpec().getScaleTargetRef().getKind());
            assertEquals(deployment.getMetadata().getName(), autoscaler.getSpec().getScaleTargetRef().getName());
            assertEquals("cpu", autoscaler.getSpec().getMetrics().get(0).getResource().getName());
        }
    }

    /**
     * The image starts bin/apprepo-refresh, the one place the JVM options are written and the JVM bench/run measures;
     * the Deployment only adds to them, so that no second copy can drift from it.
     */
    void assertTheDeploymentRunsTheJvmOfTheImage() {
        List<String> launcherOptions;
        try {
            assertTrue(Files.readString(Path.of("src/main/docker/Dockerfile.jvm"))
                    .contains("ENTRYPOINT [ \"/deployments/bin/apprepo-refresh\" ]"), "the image starts the launcher");
            String launcher = Files.readString(Path.of("bin/apprepo-refresh"));
            Matcher options = Pattern.compile("(?m)^jvm_options=\"([^\"]*)\"$").matcher(launcher);
            Matcher collector = Pattern.compile("(?m)^gc_options=\\$\\{GC_CONTAINER_OPTIONS:-\"([^\"]*)\"}$")
                    .matcher(launcher);
            assertTrue(options.find() && collector.find(), "the launcher writes its JVM options and collector");
            launcherOptions = List.of((options.group(1) + " " + collector.group(1)).split(" "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(launcherOptions.stream().anyMatch(option -> option.startsWith("-Xmx")),
                "the launcher sets the heap itself");
        for (String variable : List.of("JAVA_OPTS_APPEND", "GC_CONTAINER_OPTIONS")) {
            String added = env(variable);
            if (added != null) {
                for (String option : added.split("\\s+")) {
                    assertFalse(launcherOptions.contains(option), variable + " repeats the launcher's " + option);
                }
            }
        }
    }

    void assertTheServiceSelectsThePods() {
        Service service = one(Service.class);
        Map<String, String> podLabels = deployment().getSpec().getTemplate().getMetadata().getLabels();
        assertEquals(deployment().getMetadata().getNamespace(), service.getMetadata().getNamespace());
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()));
        assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    }

    /**
     * The senders' role may only get and update AppRepositories; the service's own may also create the audit
     * Events; the audit role only that. Nothing else anywhere, and no resource names.
     */
    static void assertGrantsNoMoreThanARefreshNeeds(ClusterRole role) {
        String name = role.getMetadata().getName();
        for (PolicyRule rule : role.getRules()) {
            assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty(), name);
            if (rule.getApiGroups().equals(List.of("kubeapps.com"))) {
                assertEquals(List.of("apprepositories"), rule.getResources(), name);
                assertEquals(Set.of("get", "update"), Set.copyOf(rule.getVerbs()), name);
                assertEquals(2, rule.getVerbs().size(), name);
            } else {
                assertEquals(List.of(""), rule.getApiGroups(), name);
                assertEquals(List.of("events"), rule.getResources(), name);
                assertEquals(List.of("create"), rule.getVerbs(), name);
            }
        }
    }

    /** The senders' ClusterRole of the Kubeapps how-to: exactly get and update on apprepositories. */
    void assertTheSendersClusterRoleGrantsExactlyGetAndUpdateOnAppRepositories(String name) {
        ClusterRole role = named(ClusterRole.class, name).orElseThrow(() -> new AssertionError("no " + name));
        assertEquals(1, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of("kubeapps.com"), rule.getApiGroups());
        assertEquals(List.of("apprepositories"), rule.getResources());
        assertEquals(Set.of("get", "update"), Set.copyOf(rule.getVerbs()));
        assertEquals(2, rule.getVerbs().size());
        assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());
    }

    /** An Ingress routes the refresh endpoint's prefix to the service, and nothing else. */
    void assertRoutesOnlyTheRefreshEndpoint(Ingress ingress) {
        String service = one(Service.class).getMetadata().getName();
        assertFalse(ingress.getSpec().getRules().isEmpty());
        assertTrue(ingress.getSpec().getDefaultBackend() == null, "no default backend");
        ingress.getSpec().getRules().forEach(rule -> {
            assertFalse(rule.getHost() == null || rule.getHost().isBlank(), "a host");
            for (HTTPIngressPath path : rule.getHttp().getPaths()) {
                assertTrue(Set.of("/api/v1/clusters", "/api/v1/clusters/").contains(path.getPath()), path.getPath());
                assertEquals("Prefix", path.getPathType());
                assertEquals(service, path.getBackend().getService().getName());
                assertEquals("http", path.getBackend().getService().getPort().getName());
            }
        });
    }

    /**
     * A NetworkPolicy rule with no source lets every source in, one with no port every port: each rule in names
     * its sources and port, each rule out its ports, and a rule out without destinations only the API servers'.
     */
    void assertLetsThroughOnlyWhatItNames(NetworkPolicy policy) {
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
        assertEquals(deployment().getSpec().getSelector().getMatchLabels(),
                policy.getSpec().getPodSelector().getMatchLabels());
        assertFalse(policy.getSpec().getIngress().isEmpty());
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            assertFalse(rule.getFrom().isEmpty(), "a rule in with no source lets every pod in");
            rule.getFrom().forEach(peer -> assertFalse(peer.getNamespaceSelector().getMatchLabels().isEmpty()));
            assertEquals(List.of(8080), rule.getPorts().stream().map(port -> port.getPort().getIntVal()).toList());
        }
        assertFalse(policy.getSpec().getEgress().isEmpty());
        for (NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
            assertFalse(rule.getPorts().isEmpty(), "a rule out with no port lets out every port");
            rule.getPorts().forEach(port -> assertNotNull(port.getPort(), "a rule out names each port"));
        }
    }

    private void assertBindsARoleOfTheseManifests(RoleBinding binding) {
        assertEquals("ClusterRole", binding.getRoleRef().getKind());
        assertTrue(named(ClusterRole.class, binding.getRoleRef().getName()).isPresent(),
                binding.getMetadata().getName() + " binds " + binding.getRoleRef().getName());
    }

    /** application.properties, with what the container's environment sets on top. */
    private static Map<String, String> serviceSettings(Container container) {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> settings = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> settings.put(name, properties.getProperty(name).strip()));
        for (String name : List.copyOf(settings.keySet())) {
            String variable = name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            container.getEnv().stream().filter(env -> env.getName().equals(variable)).findFirst()
                    .ifPresent(env -> settings.put(name, env.getValue()));
        }
        container.getEnv().stream().filter(env -> env.getName().equals("REFRESH_API_TIMEOUT")).findFirst()
                .ifPresent(env -> settings.put("refresh.api-timeout", env.getValue()));
        return settings;
    }
}
