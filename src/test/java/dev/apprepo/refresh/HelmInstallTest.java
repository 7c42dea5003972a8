package dev.apprepo.refresh;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only a cluster tells Helm: whether it serves the Prometheus Operator's ServiceMonitor. helm install runs
 * against the fabric8 mock API in CRUD mode, which announces the kinds the chart uses, with or without
 * monitoring.coreos.com/v1, and keeps what Helm creates, read back here.
 */
class HelmInstallTest {

    // a line for every request it serves is noise in the build's output
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
    }

    private static final Helm HELM = HelmChart.helm();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String SERVICE_MONITOR_VALUES = "src/test/resources/helm/service-monitor.yaml";

    /** Group version -> kind -> plural, namespaced: what the chart creates. */
    private static final Map<String, Map<String, String>> KINDS = Map.of(
            "v1", Map.of("ConfigMap", "configmaps", "Secret", "secrets", "Service", "services", "ServiceAccount",
                    "serviceaccounts"),
            "apps/v1", Map.of("Deployment", "deployments"),
            "policy/v1", Map.of("PodDisruptionBudget", "poddisruptionbudgets"),
            "networking.k8s.io/v1", Map.of("Ingress", "ingresses", "NetworkPolicy", "networkpolicies"),
            "rbac.authorization.k8s.io/v1", Map.of("ClusterRole", "clusterroles", "RoleBinding", "rolebindings"),
            "autoscaling/v2", Map.of("HorizontalPodAutoscaler", "horizontalpodautoscalers"));
    private static final String MONITORING = "monitoring.coreos.com/v1";

    private final DiscoveryDispatcher dispatcher = new DiscoveryDispatcher();
    private KubernetesMockServer api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        client = api.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        api.destroy();
    }

    private void announce(boolean monitoring) {
        Map<String, Map<String, String>> kinds = new HashMap<>(KINDS);
        if (monitoring) {
            kinds.put(MONITORING, Map.of("ServiceMonitor", "servicemonitors"));
        }
        respond("/version", Map.of("major", "1", "minor", "31", "gitVersion", "v1.31.0"));
        respond("/api", new APIVersionsBuilder().withVersions("v1").build());
        var groups = new APIGroupListBuilder();
        kinds.keySet().stream().filter(version -> version.contains("/")).forEach(version -> {
            var discovery = new GroupVersionForDiscoveryBuilder().withGroupVersion(version)
                    .withVersion(version.substring(version.indexOf('/') + 1)).build();
            groups.addToGroups(new APIGroupBuilder().withName(version.substring(0, version.indexOf('/')))
                    .withVersions(discovery).withPreferredVersion(discovery).build());
        });
        respond("/apis", groups.build());
        kinds.forEach((version, plurals) -> {
            var list = new APIResourceListBuilder().withGroupVersion(version);
            plurals.forEach((kind, plural) -> list.addToResources(new APIResourceBuilder().withKind(kind)
                    .withName(plural).withNamespaced(!kind.equals("ClusterRole"))
                    .withVerbs("create", "get", "list", "update", "patch", "delete").build()));
            respond(version.contains("/") ? "/apis/" + version : "/api/v1", list.build());
        });
    }

    private void respond(String path, Object body) {
        dispatcher.discovery.put(path, SERIALIZATION.asJson(body));
    }

    /**
     * The discovery documents, whatever query the client adds; everything else in CRUD mode, but for Helm's record
     * of the release: a Secret it writes in protobuf, which the mock cannot read, so it is acknowledged and not kept.
     */
    private static final class DiscoveryDispatcher extends KubernetesCrudDispatcher {

        final Map<String, String> discovery = new ConcurrentHashMap<>();
        final List<String> releaseRecords = new CopyOnWriteArrayList<>();

        DiscoveryDispatcher() {
            super(List.of());
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath().replaceFirst("\\?.*", "");
            String document = discovery.get(path);
            if (document != null && request.getMethod().equals("GET")) {
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(document);
            }
            String type = request.getHeader("Content-Type");
            if (type != null && type.startsWith("application/vnd.kubernetes.protobuf")) {
                releaseRecords.add(request.getMethod() + " " + path);
                return new MockResponse().setResponseCode(request.getMethod().equals("POST") ? 201 : 200)
                        .setHeader("Content-Type", "application/json")
                        .setBody(
                                "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"release\"}}");
            }
            return super.dispatch(request);
        }
    }

    private Release install() {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: admin, user: {token: admin-token}}]
                contexts: [{name: mock, context: {cluster: mock, user: admin}}]
                current-context: mock
                """.formatted(client.getMasterUrl().toString());
        return HELM.install().withName(HelmChart.RELEASE).withNamespace(HelmChart.NAMESPACE)
                .withValuesFile(Path.of(SERVICE_MONITOR_VALUES).toAbsolutePath())
                .withKubeConfigContents(kubeconfig).disableOpenApiValidation().call();
    }

    @Test
    void aClusterThatServesServiceMonitorsGetsOne() {
        announce(true);

        Release release = install();

        assertEquals("deployed", release.getStatus());
        assertTrue(dispatcher.releaseRecords.stream().allMatch(call -> call.contains("/secrets")),
                dispatcher.releaseRecords.toString());
        GenericKubernetesResource monitor = client.genericKubernetesResources(MONITORING, "ServiceMonitor")
                .inNamespace(HelmChart.NAMESPACE).withName("apprepo-refresh").get();
        Service service = client.services().inNamespace(HelmChart.NAMESPACE).withName("apprepo-refresh").get();
        Map<String, Object> endpoint = ((List<Map<String, Object>>) monitor.get("spec", "endpoints")).get(0);
        assertEquals("http", endpoint.get("port"));
        assertEquals("/q/metrics", endpoint.get("path"));
        assertEquals("15s", endpoint.get("interval"));
        assertEquals(service.getSpec().getPorts().get(0).getName(), endpoint.get("port"));
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        assertTrue(service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()),
                "it selects the Service");
        assertEquals("kube-prometheus-stack", monitor.getMetadata().getLabels().get("release"));
        assertFalse(release.getOutput().contains("no ServiceMonitor was created"), release.getOutput());

        // what Helm created, read back from the API, says what the manifests must
        List<HasMetadata> created = new ArrayList<>();
        created.addAll(client.apps().deployments().inAnyNamespace().list().getItems());
        created.addAll(client.services().inAnyNamespace().list().getItems());
        created.addAll(client.rbac().clusterRoles().list().getItems());
        created.addAll(client.rbac().roleBindings().inAnyNamespace().list().getItems());
        created.addAll(client.policy().v1().podDisruptionBudget().inAnyNamespace().list().getItems());
        Manifests.parse(created.stream().map(SERIALIZATION::asYaml).collect(Collectors.joining("\n---\n")),
                "helm install").assertServiceIsDeployedAsItMustBe();
    }

    @Test
    void aClusterWithoutServiceMonitorsIsToldSo() {
        announce(false);

        Release release = install();

        assertEquals("deployed", release.getStatus());
        assertTrue(release.getOutput().contains("no ServiceMonitor was created"), release.getOutput());
        assertEquals(1, client.apps().deployments().inNamespace(HelmChart.NAMESPACE).list().getItems().size());
    }
}
