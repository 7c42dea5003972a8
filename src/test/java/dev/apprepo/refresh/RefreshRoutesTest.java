package dev.apprepo.refresh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.KubeappsApi.ApiRefusal;
import dev.apprepo.refresh.http.RequestLog;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.ResyncRequests;
import dev.apprepo.refresh.support.RefreshHeaders;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefreshRoutesTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "kubeapps";
    private static final String TOKEN = "caller-token.eyJhbGciOiJSUzI1NiJ9";

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    @Override
    List<Cluster> clusters() {
        return List.of(new Cluster("default", api.url(), null, false));
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
    record Case(String name, String method, String authorization, String cluster, String namespace,
            String repository, int code, String reason, int apiCalls, boolean refreshed) {

        static Case post(String name, String authorization, String namespace, String repository, int code,
                String reason, int apiCalls, boolean refreshed) {
            return new Case(name, "POST", authorization, "default", namespace, repository, code, reason, apiCalls,
                    refreshed);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> requests() {
        String bearer = "Bearer " + TOKEN;
        String repo = "repo";
        return Stream.of(
                Case.post("refresh", bearer, NS, repo, 200, null, 2, true),
                Case.post("scheme in lower case", "bearer " + TOKEN, NS, repo, 200, null, 2, true),
                Case.post("scheme in capitals, two spaces", "BEARER  " + TOKEN, NS, repo, 200, null, 2, true),
                new Case("GET", "GET", bearer, "default", NS, repo, 405, "MethodNotAllowed", 0, false),
                new Case("PUT", "PUT", bearer, "default", NS, repo, 405, "MethodNotAllowed", 0, false),
                Case.post("no Authorization", null, NS, repo, 401, "Unauthorized", 0, false),
                Case.post("Basic scheme", "Basic dXNlcjpwYXNz", NS, repo, 401, "Unauthorized", 0, false),
                Case.post("empty token", "Bearer ", NS, repo, 401, "Unauthorized", 0, false),
                Case.post("scheme only", "Bearer", NS, repo, 401, "Unauthorized", 0, false),
                Case.post("token with a space", "Bearer abc def", NS, repo, 401, "Unauthorized", 0, false),
                Case.post("token glued to scheme", "Bearer" + TOKEN, NS, repo, 401, "Unauthorized", 0, false),
                Case.post("namespace in capitals", bearer, "Kubeapps", repo, 400, "BadRequest", 0, false),
                Case.post("namespace of 63, not found", bearer, "n".repeat(63), repo, 404, "NotFound", 1, true),
                Case.post("namespace of 64", bearer, "n".repeat(64), repo, 400, "BadRequest", 0, false),
                Case.post("namespace with a slash", bearer, "kube-system/secrets", repo, 400, "BadRequest", 0, false),
                Case.post("namespace ..", bearer, "..", repo, 400, "BadRequest", 0, false),
                Case.post("namespace with a dot", bearer, "a.b", repo, 400, "BadRequest", 0, false),
                Case.post("empty namespace", bearer, "", repo, 400, "BadRequest", 0, false),
                Case.post("name ../x", bearer, NS, "../x", 400, "BadRequest", 0, false),
                Case.post("name of 253, not found", bearer, NS, "r".repeat(62).concat(".").repeat(4) + "r", 404,
                        "NotFound", 1, true),
                Case.post("name of 254", bearer, NS, "r".repeat(254), 400, "BadRequest", 0, false),
                Case.post("name a..b", bearer, NS, "a..b", 400, "BadRequest", 0, false),
                Case.post("name with a slash", bearer, NS, "a/b", 400, "BadRequest", 0, false),
                Case.post("name with dots, not found", bearer, NS, "charts.example.com", 404, "NotFound", 1, true),
                Case.post("repository not found", bearer, NS, "missing", 404, "NotFound", 1, true),
                new Case("unknown cluster", "POST", bearer, "elsewhere", NS, repo, 404, "NotFound", 0, true),
                Case.post("token the API rejects", "Bearer " + ApiRefusal.EXPIRED.token, NS, repo, 401,
                        "Unauthorized", 1, true),
                Case.post("token without RBAC", "Bearer " + ApiRefusal.FORBIDDEN.token, NS, repo, 403, "Forbidden",
                        1, true),
                Case.post("update the API refuses", "Bearer " + ApiRefusal.INVALID.token, NS, repo, 422, "Invalid",
                        2, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void answers(Case request) throws Exception {
        if ("repo".equals(request.repository())) {
            api.seed(NS, "repo");
            api.takeCalls();
        }

        MockEndpoint refreshes = getMockEndpoint("mock:direct:refresh-apprepository");
        refreshes.expectedMessageCount(request.refreshed() ? 1 : 0);

        Exchange response = post(request.method(), request.authorization(), request.cluster(), request.namespace(),
                request.repository(), null);

        refreshes.assertIsSatisfied(0);
        assertEquals(request.code(), statusCode(response), () -> response.getMessage().getBody(String.class));
        JsonNode body = JSON.readTree(response.getMessage().getBody(String.class));
        assertEquals("application/json", response.getMessage().getHeader(Exchange.CONTENT_TYPE));
        if (request.code() == 200) {
            assertEquals(request.repository(), body.at("/appRepository/metadata/name").asText());
        } else {
            assertEquals("Status", body.path("kind").asText());
            assertEquals("v1", body.path("apiVersion").asText());
            assertEquals("Failure", body.path("status").asText());
            assertEquals(request.code(), body.path("code").asInt());
            assertEquals(request.reason(), body.path("reason").asText());
            assertFalse(body.path("message").asText().isBlank());
        }
        if (request.code() == 405) {
            assertEquals("POST", response.getMessage().getHeader("Allow"));
        }
        List<ApiCall> calls = api.takeCalls();
        assertEquals(request.apiCalls(), calls.size(), calls::toString);
        for (ApiCall call : calls) {
            assertEquals(request.authorization().replaceFirst("(?i)bearer +", "Bearer "), call.authorization());
            assertTrue(call.path().startsWith("/apis/kubeapps.com/v1alpha1/namespaces/" + request.namespace()
                    + "/apprepositories/" + request.repository()),
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
        Map<String, String> annotations = new HashMap<>(after.getMetadata().getAnnotations());
        assertEquals("a bearer webhook", annotations.remove(ResyncRequests.REQUESTED_BY));
        assertEquals("1", annotations.remove(ResyncRequests.REQUESTS));
        assertNotNull(annotations.remove(ResyncRequests.REQUESTED_AT));
        assertEquals(before.getMetadata().getAnnotations(), annotations);
        assertEquals(before.getMetadata().getOwnerReferences(), after.getMetadata().getOwnerReferences());
        assertEquals(before.getAdditionalProperties().get("status"), after.getAdditionalProperties().get("status"));
        Map<?, ?> spec = (Map<?, ?>) after.getAdditionalProperties().get("spec");
        assertEquals(Map.of("nested", "kept"), spec.get("futureField"));
        assertEquals(((Map<?, ?>) before.getAdditionalProperties().get("spec")).get("filterRule"),
                spec.get("filterRule"));

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
                "a=1&namespace=other&CamelKubeappsNamespace=other", new byte[]{0, (byte) 0xff, 0x1f, (byte) 0x8b});
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

    @Test
    void anUpdateRecordsOneEventNamingEveryRequestItAnswered() throws Exception {
        api.seed(NS, "batched");
        api.seed(NS, "sentinel");
        api.takeCalls();
        api.takeEventCalls();
        CountDownLatch firstUpdateStarted = new CountDownLatch(1);
        CountDownLatch firstUpdate = new CountDownLatch(1);
        getMockEndpoint("mock:direct:refresh-apprepository").whenExchangeReceived(1, exchange -> {
            firstUpdateStarted.countDown();
            assertTrue(firstUpdate.await(30, TimeUnit.SECONDS));
        });
        CompletableFuture<Exchange> first = postAsync("batched");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(postAsync("batched"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("apprepo.refresh.requests.waiting") == 5);

        firstUpdate.countDown();

        assertEquals(200, statusCode(first.get(30, TimeUnit.SECONDS)));
        for (CompletableFuture<Exchange> response : batch) {
            assertEquals(200, statusCode(response.get(30, TimeUnit.SECONDS)));
        }
        assertEquals(2, api.takeCalls().stream().filter(call -> call.method().equals("PUT")).count());
        // Events are created in order on one thread: once the sentinel's is there, every earlier one is too
        assertEquals(200, statusCode(post("POST", "Bearer " + TOKEN, "default", NS, "sentinel", null)));
        List<ApiCall> events = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            events.addAll(api.takeEventCalls());
            return events.stream().anyMatch(event -> event.body().contains("\"sentinel\""));
        });
        List<String> messages = new ArrayList<>();
        for (ApiCall event : events) {
            JsonNode created = JSON.readTree(event.body());
            if (created.at("/involvedObject/name").asText().equals("batched")) {
                messages.add(created.path("message").asText());
            }
        }
        assertEquals(List.of("Resync requested by a bearer webhook: spec.resyncRequests is now 1",
                "Resync requested by 5 webhook requests (bearer 5): spec.resyncRequests is now 2"), messages,
                "one Event per update, not one per request");
    }

    private CompletableFuture<Exchange> postAsync(String repository) {
        return template.asyncSend("direct:webhook", exchange -> {
            exchange.getIn().setHeader(Exchange.HTTP_METHOD, "POST");
            exchange.getIn().setHeader("Authorization", "Bearer " + TOKEN);
            exchange.getIn().setHeader(RefreshHeaders.CLUSTER, "default");
            exchange.getIn().setHeader(RefreshHeaders.NAMESPACE, NS);
            exchange.getIn().setHeader(RefreshHeaders.REPOSITORY, repository);
        });
    }

    /** The audit Event is created in the background: wait for its call. */
    private static ApiCall awaitEventCall() {
        return await().atMost(Duration.ofSeconds(30)).until(api::takeEventCalls, calls -> !calls.isEmpty()).get(0);
    }

    @Test
    void eachAnsweredRequestGetsOneLineWithoutTheToken() throws Exception {
        api.seed(NS, "logged");
        try (LogCapture logs = new LogCapture(RequestLog.class.getName())) {
            post("POST", "Bearer " + TOKEN, "default", NS, "logged", null);
            post("POST", "Bearer " + TOKEN, "default", NS, "absent", null);
            post("POST", "Bearer " + TOKEN, "default", "Bad\nName\u0085space\u2028", "logged", null);

            List<String> lines = logs.lines().stream().map(String::strip).toList();
            assertEquals(3, lines.size(), lines::toString);
            assertTrue(lines.get(0).matches("(?s).*INFO.*refresh default/kubeapps/logged: 200, sender bearer, "
                    + "update served 1 request, \\d+ ms"), lines.get(0));
            assertTrue(lines.get(1).contains("refresh default/kubeapps/absent: 404 NotFound"), lines.get(1));
            assertTrue(lines.get(1).contains("AppRepository kubeapps/absent on cluster default was not found"),
                    "names the repository: " + lines.get(1));
            assertTrue(
                    lines.get(2).contains("refresh default/Bad\\u000aName\\u0085space\\u2028/logged: 400 BadRequest"),
                    "what the client sent is escaped: " + lines.get(2));
            lines.forEach(line -> assertFalse(line.contains(TOKEN), line));
        }
    }

    @Test
    void noTokenInAnyEndpointUri() throws Exception {
        api.seed(NS, "uris");
        post("POST", "Bearer " + TOKEN, "default", NS, "uris", null);
        post("POST", "Bearer other-" + TOKEN, "default", NS, "uris", null);

        for (Endpoint endpoint : context.getEndpoints()) {
            assertFalse(endpoint.getEndpointUri().contains("caller-token"), endpoint.getEndpointUri());
        }
        assertEquals(2, gauge("apprepo.refresh.clients.pooled"), "one pooled client per token");
    }
}
