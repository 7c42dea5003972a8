package dev.apprepo.refresh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.KubeappsApi.ApiRefusal;
import dev.apprepo.refresh.kubernetes.CallerTokenCustomResourcesProducer;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.MissingCallerTokenException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kubernetes.KubernetesConstants;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per defect of the stock 4.14 {@code kubernetes-custom-resources} producer that the project's producer
 * fixes; each fails against the stock producer.
 */
class CallerTokenCustomResourcesProducerTest extends CamelTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "caller-token-5f2c";
    private static final String CRD_OPTIONS = "&crdGroup=kubeapps.com&crdVersion=v1alpha1&crdPlural=apprepositories"
            + "&crdScope=Namespaced&crdName=apprepositories.kubeapps.com";
    private static final String GET = "kubernetes-custom-resources:default?operation=getCustomResource" + CRD_OPTIONS;
    private static final String UPDATE = "kubernetes-custom-resources:default?operation=updateCustomResource"
            + CRD_OPTIONS;

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    KubernetesClient serviceClient;

    @TempDir
    Path configDir;

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Path clusters = RouteTestSupport.clustersFile(configDir,
                List.of(new Cluster("default", api.url(), null, false)));
        RouteTestSupport.bindParts(context, Map.of("refresh.clusters-config", clusters.toString()),
                new SimpleMeterRegistry());
        // the service's own client, as Quarkus puts one in the registry: the stock component autowires it
        serviceClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl(api.url()).withOauthToken("service-own-token").build()).build();
        context.getRegistry().bind("kubernetesClient", serviceClient);
        return context;
    }

    @AfterEach
    void closeServiceClient() {
        serviceClient.close();
    }

    @BeforeEach
    void seed() throws Exception {
        api.seed("kubeapps", "repo");
        api.takeCalls();
    }

    private Exchange call(String uri, String token, Map<String, Object> headers) {
        return template.send(uri, exchange -> {
            exchange.getIn().setHeader(KubernetesConstants.KUBERNETES_NAMESPACE_NAME, "kubeapps");
            exchange.getIn().setHeader(KubernetesConstants.KUBERNETES_CRD_INSTANCE_NAME, "repo");
            exchange.getIn().getHeaders().putAll(headers);
            exchange.setVariable(CallerTokenCustomResourcesProducer.TOKEN_VARIABLE, token);
        });
    }

    @Test
    void callsWithTheCallersTokenNotAClientFromTheRegistry() throws Exception {
        Exchange exchange = call(GET, TOKEN, Map.of());

        assertEquals(null, exchange.getException());
        List<ApiCall> calls = api.takeCalls();
        assertEquals(1, calls.size());
        assertEquals("Bearer " + TOKEN, calls.get(0).authorization());
    }

    @Test
    void emptyTokenIsRefusedWithoutFallingBackToKubeconfig(@TempDir Path dir) throws Exception {
        Path kubeconfig = dir.resolve("config");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: test, cluster: {server: "%s"}}]
                users: [{name: test, user: {token: kubeconfig-token}}]
                contexts: [{name: test, context: {cluster: test, user: test}}]
                current-context: test
                """.formatted(api.url()));
        String previous = System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            for (String token : new String[]{null, "", "  "}) {
                Exchange exchange = call(GET, token, Map.of());
                assertInstanceOf(MissingCallerTokenException.class, exchange.getException());
            }
        } finally {
            if (previous == null) {
                System.clearProperty("kubeconfig");
            } else {
                System.setProperty("kubeconfig", previous);
            }
        }
        assertEquals(List.of(), api.takeCalls());
    }

    @Test
    void getReturnsTheWholeObject() throws Exception {
        Exchange exchange = call(GET, TOKEN, Map.of());

        JsonNode repository = JSON.readTree(exchange.getMessage().getBody(String.class));
        assertEquals("kubeapps.com/v1alpha1", repository.path("apiVersion").asText());
        assertEquals("AppRepository", repository.path("kind").asText());
        assertEquals("charts", repository.at("/metadata/labels/team").asText());
        assertEquals("platform", repository.at("/metadata/annotations/kubeapps.dev~1owner").asText());
        assertFalse(repository.at("/metadata/resourceVersion").asText().isEmpty());
        assertEquals("Synced", repository.at("/status/status").asText());
    }

    @Test
    void updateIsLockedOnTheResourceVersionAndFailsOnConflict() throws Exception {
        String stale = call(GET, TOKEN, Map.of()).getMessage().getBody(String.class);
        api.competingWrites(1);

        Exchange exchange = call(UPDATE, TOKEN,
                Map.of(KubernetesConstants.KUBERNETES_CRD_INSTANCE, stale.replace("charts", "overwritten")));

        KubernetesClientException conflict = assertInstanceOf(KubernetesClientException.class, exchange.getException());
        assertEquals(409, conflict.getCode());
        GenericKubernetesResource stored = api.get("kubeapps", "repo");
        assertEquals("charts", stored.getMetadata().getLabels().get("team"), "the stale write must not land");
        assertEquals("1", stored.getMetadata().getLabels().get("competing-writer"));
    }

    @Test
    void updateWithoutResourceVersionIsRefusedBeforeAnyCall() throws Exception {
        String repository = call(GET, TOKEN, Map.of()).getMessage().getBody(String.class);
        ObjectNodeEditor editor = new ObjectNodeEditor(repository);
        api.takeCalls();

        Exchange exchange = call(UPDATE, TOKEN,
                Map.of(KubernetesConstants.KUBERNETES_CRD_INSTANCE, editor.without("/metadata/resourceVersion")));

        assertInstanceOf(IllegalArgumentException.class, exchange.getException());
        assertEquals(List.of(), api.takeCalls());
    }

    @Test
    void notFoundAndForbiddenCarryTheApisStatus() {
        Exchange missing = template.send(GET, exchange -> {
            exchange.getIn().setHeader(KubernetesConstants.KUBERNETES_NAMESPACE_NAME, "kubeapps");
            exchange.getIn().setHeader(KubernetesConstants.KUBERNETES_CRD_INSTANCE_NAME, "missing");
            exchange.setVariable(CallerTokenCustomResourcesProducer.TOKEN_VARIABLE, TOKEN);
        });
        assertEquals(404, assertInstanceOf(KubernetesClientException.class, missing.getException()).getCode());

        Exchange forbidden = call(GET, ApiRefusal.FORBIDDEN.token, Map.of());
        KubernetesClientException denied = assertInstanceOf(KubernetesClientException.class, forbidden.getException());
        assertEquals(403, denied.getCode());
        assertEquals(ApiRefusal.FORBIDDEN.message, denied.getStatus().getMessage());
    }

    @Test
    void crdOptionsOfTheEndpointAreUsedWithoutHeaders() throws Exception {
        Exchange exchange = call(GET, TOKEN, Map.of());

        assertEquals(null, exchange.getException());
        assertEquals("/apis/kubeapps.com/v1alpha1/namespaces/kubeapps/apprepositories/repo",
                api.takeCalls().get(0).path());
    }

    @Test
    void noTokenInEndpointUrisOrAnyLogLine() throws Exception {
        try (LogCapture logs = new LogCapture("org.apache.camel", "io.fabric8", "io.vertx", "dev.apprepo")) {
            String repository = call(GET, TOKEN, Map.of()).getMessage().getBody(String.class);
            call(UPDATE, TOKEN, Map.of(KubernetesConstants.KUBERNETES_CRD_INSTANCE, repository));
            call(GET, ApiRefusal.FORBIDDEN.token, Map.of());

            assertFalse(logs.lines().isEmpty(), "the capture must see the DEBUG logging it checks");
            for (String line : logs.lines()) {
                assertFalse(line.contains(TOKEN) || line.contains(ApiRefusal.FORBIDDEN.token), line);
            }
        }
        context.getEndpoints().forEach(endpoint -> assertFalse(endpoint.getEndpointUri().contains(TOKEN)));
        assertTrue(api.takeCalls().stream().allMatch(call -> call.authorization() != null));
    }

    /** Removes one field of a JSON document, addressed by JSON pointer. */
    private record ObjectNodeEditor(String json) {

        String without(String pointer) throws Exception {
            JsonNode root = JSON.readTree(json);
            int slash = pointer.lastIndexOf('/');
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.at(pointer.substring(0, slash)))
                    .remove(pointer.substring(slash + 1));
            return root.toString();
        }
    }
}
