package dev.apprepo.refresh;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.KubeappsApi.ApiRefusal;
import dev.apprepo.refresh.kubernetes.Cluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefreshRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "kubeapps";
    private static final String TOKEN = "caller-token.eyJhbGciOiJSUzI1NiJ9";

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    @Override
    List<Cluster> clusters() {
        return List.of(new Cluster("default", api.url(), null, false, true));
    }

    @BeforeEach
    void start() throws Exception {
        startRoutes();
        api.takeCalls();
    }

    /**
     * One row per branch of the route: what the client sends, what it gets, how many API calls it costs and
     * whether it got past the route's own checks to a refresh.
     */
    static Stream<Arguments> requests() {
        String repo = "repo";
        return Stream.of(
                row("refresh", "POST", "Bearer " + TOKEN, "default", NS, repo, 200, null, 2, true),
                row("scheme in lower case", "POST", "bearer " + TOKEN, "default", NS, repo, 200, null, 2, true),
                row("scheme in capitals, two spaces", "POST", "BEARER  " + TOKEN, "default", NS, repo, 200, null, 2, true),
                row("GET", "GET", "Bearer " + TOKEN, "default", NS, repo, 405, "MethodNotAllowed", 0, false),
                row("PUT", "PUT", "Bearer " + TOKEN, "default", NS, repo, 405, "MethodNotAllowed", 0, false),
                row("no Authorization", "POST", null, "default", NS, repo, 401, "Unauthorized", 0, false),
                row("Basic scheme", "POST", "Basic dXNlcjpwYXNz", "default", NS, repo, 401, "Unauthorized", 0, false),
                row("empty token", "POST", "Bearer ", "default", NS, repo, 401, "Unauthorized", 0, false),
                row("scheme only", "POST", "Bearer", "default", NS, repo, 401, "Unauthorized", 0, false),
                row("token with a space", "POST", "Bearer abc def", "default", NS, repo, 401, "Unauthorized", 0, false),
                row("token glued to scheme", "POST", "Bearer" + TOKEN, "default", NS, repo, 401, "Unauthorized", 0, false),
                row("namespace in capitals", "POST", "Bearer " + TOKEN, "default", "Kubeapps", repo, 400, "BadRequest", 0, false),
                row("namespace of 63, not found", "POST", "Bearer " + TOKEN, "default", "n".repeat(63), repo, 404,
                        "NotFound", 1, true),
                row("namespace of 64", "POST", "Bearer " + TOKEN, "default", "n".repeat(64), repo, 400, "BadRequest", 0, false),
                row("namespace with a slash", "POST", "Bearer " + TOKEN, "default", "kube-system/secrets", repo, 400,
                        "BadRequest", 0, false),
                row("namespace ..", "POST", "Bearer " + TOKEN, "default", "..", repo, 400, "BadRequest", 0, false),
                row("namespace with a dot", "POST", "Bearer " + TOKEN, "default", "a.b", repo, 400, "BadRequest", 0, false),
                row("name ../x", "POST", "Bearer " + TOKEN, "default", NS, "../x", 400, "BadRequest", 0, false),
                row("name of 253, not found", "POST", "Bearer " + TOKEN, "default", NS, "r".repeat(62).concat(".").repeat(4) + "r",
                        404, "NotFound", 1, true),
                row("name of 254", "POST", "Bearer " + TOKEN, "default", NS, "r".repeat(254), 400, "BadRequest", 0, false),
                row("name a..b", "POST", "Bearer " + TOKEN, "default", NS, "a..b", 400, "BadRequest", 0, false),
                row("name with a slash", "POST", "Bearer " + TOKEN, "default", NS, "a/b", 400, "BadRequest", 0, false),
                row("name with dots, not found", "POST", "Bearer " + TOKEN, "default", NS, "charts.example.com", 404,
                        "NotFound", 1, true),
                row("repository not found", "POST", "Bearer " + TOKEN, "default", NS, "missing", 404, "NotFound", 1, true),
                row("unknown cluster", "POST", "Bearer " + TOKEN, "elsewhere", NS, repo, 404, "NotFound", 0, true),
                row("token the API rejects", "POST", "Bearer " + ApiRefusal.EXPIRED.token, "default", NS, repo, 401,
                        "Unauthorized", 1, true),
                row("token without RBAC", "POST", "Bearer " + ApiRefusal.FORBIDDEN.token, "default", NS, repo, 403,
                        "Forbidden", 1, true),
                row("update the API refuses", "POST", "Bearer " + ApiRefusal.INVALID.token, "default", NS, repo, 422,
                        "Invalid", 2, true));
    }

    private static Arguments row(String name, String method, String authorization, String cluster, String namespace,
                                 String repository, int code, String reason, int apiCalls, boolean refreshed) {
        return Arguments.of(name, method, authorization, cluster, namespace, repository, code, reason, apiCalls,
                refreshed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void answers(String name, String method, String authorization, String cluster, String namespace,
                 String repository, int code, String reason, int apiCalls, boolean refreshed) throws Exception {
        if ("repo".equals(repository)) {
            api.seed(NS, "repo");
            api.takeCalls();
        }

        MockEndpoint refreshes = getMockEndpoint("mock:direct:refresh-apprepository");
        refreshes.expectedMessageCount(refreshed ? 1 : 0);

        Exchange response = post(method, authorization, cluster, namespace, repository, null);

        refreshes.assertIsSatisfied(0);
        assertEquals(code, statusCode(response), () -> response.getMessage().getBody(String.class));
        JsonNode body = JSON.readTree(response.getMessage().getBody(String.class));
        assertEquals("application/json", response.getMessage().getHeader(Exchange.CONTENT_TYPE));
        if (code == 200) {
            assertEquals(repository, body.at("/appRepository/metadata/name").asText());
        } else {
            assertEquals("Status", body.path("kind").asText());
            assertEquals("v1", body.path("apiVersion").asText());
            assertEquals("Failure", body.path("status").asText());
            assertEquals(code, body.path("code").asInt());
            assertEquals(reason, body.path("reason").asText());
            assertFalse(body.path("message").asText().isBlank());
        }
        if (code == 405) {
            assertEquals("POST", response.getMessage().getHeader("Allow"));
        }
        List<ApiCall> calls = api.takeCalls();
        assertEquals(apiCalls, calls.size(), calls::toString);
        for (ApiCall call : calls) {
            assertEquals(authorization.replaceFirst("(?i)bearer +", "Bearer "), call.authorization());
            assertTrue(call.path().startsWith("/apis/kubeapps.com/v1alpha1/namespaces/" + namespace
                                              + "/apprepositories/" + repository),
                    call.path());
        }
    }

    @Test
    void refreshIncrementsOnceAndKeepsEveryOtherField() throws Exception {
        GenericKubernetesResource before = api.seed(NS, "full");
        api.takeCalls();

        Exchange response = post("POST", "Bearer " + TOKEN, "default", NS, "full", null);

        assertEquals(200, statusCode(response));
        GenericKubernetesResource after = api.get(NS, "full");
        assertEquals(1, api.resyncRequests(NS, "full"));
        assertEquals(before.getMetadata().getLabels(), after.getMetadata().getLabels());
        assertEquals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations());
        assertEquals(before.getMetadata().getOwnerReferences(), after.getMetadata().getOwnerReferences());
        assertEquals(before.getAdditionalProperties().get("status"), after.getAdditionalProperties().get("status"));
        Map<?, ?> spec = (Map<?, ?>) after.getAdditionalProperties().get("spec");
        assertEquals(Map.of("nested", "kept"), spec.get("futureField"));
        assertEquals(((Map<?, ?>) before.getAdditionalProperties().get("spec")).get("filterRule"), spec.get("filterRule"));

        List<ApiCall> calls = api.takeCalls();
        assertEquals(List.of("GET", "PUT"), calls.stream().map(ApiCall::method).toList());
        JsonNode put = JSON.readTree(calls.get(1).body());
        assertEquals(before.getMetadata().getResourceVersion(), put.at("/metadata/resourceVersion").asText(),
                "the PUT must carry the resourceVersion it read");
        JsonNode answered = JSON.readTree(response.getMessage().getBody(String.class)).path("appRepository");
        assertEquals(1, answered.at("/spec/resyncRequests").asInt());
        assertEquals(after.getMetadata().getResourceVersion(), answered.at("/metadata/resourceVersion").asText());
    }

    @Test
    void bodyIsIgnoredWhateverItIs() throws Exception {
        api.seed(NS, "bodies");
        List<Object> bodies = List.of("", "{\"event_data\":{\"repository\":{\"name\":\"x\"}}}", "{not json",
                "a=1&namespace=other&CamelKubeappsNamespace=other", new byte[] {0, (byte) 0xff, 0x1f, (byte) 0x8b});
        for (Object body : bodies) {
            assertEquals(200, statusCode(post("POST", "Bearer " + TOKEN, "default", NS, "bodies", body)));
        }
        assertEquals(bodies.size(), api.resyncRequests(NS, "bodies"));
    }

    @Test
    void conflictIsRetriedWithAFreshRead() throws Exception {
        api.seed(NS, "contended");
        api.takeCalls();
        api.competingWrites(2);

        Exchange response = post("POST", "Bearer " + TOKEN, "default", NS, "contended", null);

        assertEquals(200, statusCode(response), () -> response.getMessage().getBody(String.class));
        List<ApiCall> calls = api.takeCalls();
        assertEquals(List.of("GET", "PUT", "GET", "PUT", "GET", "PUT"), calls.stream().map(ApiCall::method).toList());
        GenericKubernetesResource after = api.get(NS, "contended");
        assertEquals(1, api.resyncRequests(NS, "contended"));
        assertEquals("2", after.getMetadata().getLabels().get("competing-writer"),
                "the other writer's change must survive the retry");
    }

    @Test
    void conflictRetriesAreBounded() throws Exception {
        api.seed(NS, "hot");
        api.takeCalls();
        api.competingWrites(100);

        Exchange response = post("POST", "Bearer " + TOKEN, "default", NS, "hot", null);

        api.competingWrites(0);
        assertEquals(409, statusCode(response));
        JsonNode status = JSON.readTree(response.getMessage().getBody(String.class));
        assertEquals(409, status.path("code").asInt());
        assertTrue(status.path("message").asText().contains("the object has been modified"), status::toString);
        List<ApiCall> calls = api.takeCalls();
        assertEquals(5, calls.stream().filter(call -> "PUT".equals(call.method())).count());
        assertEquals(0, api.resyncRequests(NS, "hot"));
    }

    @Test
    void eachRefreshIsRecordedAsAnEventOnTheAppRepository() throws Exception {
        GenericKubernetesResource repository = api.seed(NS, "audited");
        api.takeEventCalls();

        assertEquals(200, statusCode(post("POST", "Bearer " + TOKEN, "default", NS, "audited", null)));

        ApiCall create = awaitEventCall();
        assertEquals("POST", create.method());
        assertEquals("/api/v1/namespaces/kubeapps/events", create.path());
        assertEquals("Bearer " + TOKEN, create.authorization(), "recorded with the refresh's own credential");
        JsonNode event = JSON.readTree(create.body());
        assertEquals("RefreshRequested", event.path("reason").asText());
        assertEquals("AppRepository", event.at("/involvedObject/kind").asText());
        assertEquals("audited", event.at("/involvedObject/name").asText());
        assertEquals(repository.getMetadata().getUid(), event.at("/involvedObject/uid").asText());
        assertEquals("Resync requested by a bearer webhook: spec.resyncRequests is now 1",
                event.path("message").asText());
        assertFalse(create.body().contains(TOKEN));
    }

    @Test
    void aCredentialThatMayNotCreateEventsStillRefreshes() throws Exception {
        api.seed(NS, "unaudited");
        api.takeEventCalls();

        Exchange response = post("POST", "Bearer " + ApiRefusal.NO_EVENTS.token, "default", NS, "unaudited", null);

        assertEquals(200, statusCode(response));
        assertEquals(1, api.resyncRequests(NS, "unaudited"));
        assertEquals(ApiRefusal.NO_EVENTS.token, awaitEventCall().authorization().substring("Bearer ".length()));
    }

    /** The audit Event is created in the background: wait for its call, with a deadline against a broken audit. */
    private static ApiCall awaitEventCall() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<ApiCall> calls = api.takeEventCalls();
            if (!calls.isEmpty()) {
                return calls.get(0);
            }
        }
        throw new AssertionError("no audit Event reached the API");
    }

    @Test
    void noTokenInAnyEndpointUri() throws Exception {
        api.seed(NS, "uris");
        post("POST", "Bearer " + TOKEN, "default", NS, "uris", null);
        post("POST", "Bearer other-" + TOKEN, "default", NS, "uris", null);

        for (Endpoint endpoint : context.getEndpoints()) {
            assertFalse(endpoint.getEndpointUri().contains("caller-token"), endpoint.getEndpointUri());
        }
        assertEquals(2, clients.size(), "one pooled client per token");
    }
}
