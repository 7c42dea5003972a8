package dev.apprepo.refresh;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.KubeappsApiResource.InjectKubeappsApi;
import dev.apprepo.refresh.dev.EmbeddedKubernetesApi;
import dev.apprepo.refresh.kubernetes.ResyncRequests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged service over real HTTP, in front of the mock API server in CRUD mode. */
@QuarkusTest
@WithTestResource(KubeappsApiResource.class)
class RefreshWebhookTest {

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.caller-token.c2lnbmF0dXJl";
    private static final String PATH = "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/%s/refresh";

    @InjectKubeappsApi
    KubeappsApi api;

    @BeforeEach
    void seed() {
        for (String name : List.of("repo", "busy")) {
            api.seed("kubeapps", name);
        }
        api.takeCalls();
    }

    private long resyncRequests(String name) {
        return api.resyncRequests("kubeapps", name);
    }

    @Test
    void refreshesWithTheCallersTokenAndKeepsTheRest() throws Exception {
        given().header("Authorization", "Bearer " + TOKEN)
                .when().post(PATH.formatted("repo"))
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("appRepository.spec.resyncRequests", equalTo(1))
                .body("appRepository.metadata.labels.team", equalTo("charts"))
                .body("appRepository.metadata.annotations['kubeapps.dev/owner']", equalTo("platform"))
                .body("appRepository.metadata.ownerReferences[0].name", equalTo("repository-owner"))
                .body("appRepository.spec.futureField.nested", equalTo("kept"))
                .body("appRepository.status.status", equalTo("Synced"));

        List<ApiCall> calls = api.takeCalls();
        assertEquals(List.of("GET", "PUT"), calls.stream().map(ApiCall::method).toList());
        for (ApiCall call : calls) {
            assertEquals("Bearer " + TOKEN, call.authorization(),
                    "the API must see the caller's token, never the service's own");
            assertEquals("/apis/kubeapps.com/v1alpha1/namespaces/kubeapps/apprepositories/repo", call.path());
        }
        GenericKubernetesResource stored = api.get("kubeapps", "repo");
        assertEquals(Map.of("team", "charts"), stored.getMetadata().getLabels());
        Map<String, String> annotations = stored.getMetadata().getAnnotations();
        assertEquals("platform", annotations.get("kubeapps.dev/owner"));
        assertEquals("a bearer webhook", annotations.get(ResyncRequests.REQUESTED_BY));
        assertEquals(Set.of("kubeapps.dev/owner", ResyncRequests.REQUESTED_AT, ResyncRequests.REQUESTED_BY,
                ResyncRequests.REQUESTS), annotations.keySet());
    }

    @Test
    void answersAnyBodyTheSameWay() throws Exception {
        List<Response> responses = List.of(
                given().header("Authorization", "Bearer " + TOKEN).post(PATH.formatted("repo")),
                given().header("Authorization", "Bearer " + TOKEN).contentType(ContentType.JSON)
                        .body("{\"type\":\"PUSH_ARTIFACT\",\"event_data\":{}}").post(PATH.formatted("repo")),
                given().header("Authorization", "Bearer " + TOKEN).contentType(ContentType.JSON)
                        .body("{\"type\":").post(PATH.formatted("repo")),
                given().header("Authorization", "Bearer " + TOKEN).contentType(ContentType.URLENC)
                        .formParam("namespace", "kube-system").formParam("CamelKubeappsRepository", "busy")
                        .post(PATH.formatted("repo")),
                given().header("Authorization", "Bearer " + TOKEN).multiPart("file", "chart.tgz", new byte[]{1, 2, 3})
                        .post(PATH.formatted("repo")),
                given().header("Authorization", "Bearer " + TOKEN).contentType("application/octet-stream")
                        .body(new byte[]{0, (byte) 0x8b, (byte) 0xff}).post(PATH.formatted("repo")));

        for (Response response : responses) {
            assertEquals(200, response.statusCode(), response.asString());
            assertEquals("repo", response.path("appRepository.metadata.name"));
        }
        assertEquals(responses.size(), resyncRequests("repo"));
        assertEquals(0, resyncRequests("busy"), "a form field must not pick the repository");
    }

    @Test
    void refusesAnOversizedBodyBeforeAnyApiCall() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 1];
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/octet-stream").body(body)
                .when().post(PATH.formatted("repo"))
                .then().statusCode(413)
                .contentType(ContentType.JSON)
                .body("kind", equalTo("Status"))
                .body("code", equalTo(413));
        assertEquals(List.of(), api.takeCalls());
    }

    @Test
    void refusesAnOversizedChunkedBodyBeforeAnyApiCall() throws Exception {
        // no Content-Length: the body outgrows the limit while it streams in
        var request = HttpRequest.newBuilder(
                URI.create(RestAssured.baseURI + ":" + RestAssured.port
                        + PATH.formatted("repo")))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[4 * 1024 * 1024])))
                .build();
        var response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains("\"kind\":\"Status\""), response.body());
        assertEquals(List.of(), api.takeCalls());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void refusesOtherMethods(String method) throws Exception {
        given().header("Authorization", "Bearer " + TOKEN)
                .when().request(method, PATH.formatted("repo"))
                .then().statusCode(405)
                .header("Allow", "POST")
                .body("kind", equalTo("Status"))
                .body("reason", equalTo("MethodNotAllowed"));
        assertEquals(List.of(), api.takeCalls());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/v1/clusters/default/namespaces/kube-system%2Fsecrets/apprepositories/repo/refresh",
            "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/..%2F..%2Fsecrets/refresh",
            "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/%2e%2e/refresh",
            "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/repo%2Fstatus/refresh",
            "/api/v1/clusters/default/namespaces/kubeapps/apprepositories//refresh",
            "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/repo/refresh/extra",
    })
    void encodedPathTricksReachNoOtherApiPath(String path) throws Exception {
        Response response = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + TOKEN).post(path);

        assertTrue(response.statusCode() == 400 || response.statusCode() == 404, response.asString());
        assertEquals("Status", response.path("kind"));
        assertEquals(List.of(), api.takeCalls());
    }

    @Test
    void refusesRequestsWithoutBearerTokenBeforeAnyApiCall() throws Exception {
        given().when().post(PATH.formatted("repo"))
                .then().statusCode(401).body("kind", equalTo("Status")).body("reason", equalTo("Unauthorized"));
        given().header("Authorization", "Basic dXNlcjpwYXNz").when().post(PATH.formatted("repo"))
                .then().statusCode(401);
        assertEquals(List.of(), api.takeCalls());
    }

    @Test
    void unknownClusterIsNotFound() throws Exception {
        given().header("Authorization", "Bearer " + TOKEN)
                .when().post("/api/v1/clusters/elsewhere/namespaces/kubeapps/apprepositories/repo/refresh")
                .then().statusCode(404)
                .body("message", equalTo("cluster \"elsewhere\" has no configuration"));
        assertEquals(List.of(), api.takeCalls());
    }

    @Test
    void concurrentRequestsShareUpdates() throws Exception {
        int requests = 40;
        ExecutorService clients = Executors.newFixedThreadPool(requests);
        List<Future<Integer>> answers = new ArrayList<>();
        try (KubeappsApi.Hold hold = api.holdUpdates()) {
            answers.add(clients.submit(() -> post("busy")));
            await().atMost(Duration.ofSeconds(30)).until(api::heldUpdates, held -> held == 1);
            for (int i = 1; i < requests; i++) {
                answers.add(clients.submit(() -> post("busy")));
            }
            // every other request waits for the next update while the first one is in flight
            await().atMost(Duration.ofSeconds(60)).until(() -> gauge("apprepo_refresh_requests_waiting"),
                    waiting -> waiting == requests - 1);
        }
        try {
            for (Future<Integer> status : answers) {
                assertEquals(200, status.get(60, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }

        long count = resyncRequests("busy");
        long puts = api.takeCalls().stream().filter(call -> "PUT".equals(call.method())).count();
        assertEquals(2, puts, "one update for the first request, one for the others that waited");
        assertTrue(puts <= requests / 4, puts + " PUTs for " + requests + " requests");
        assertEquals(count, puts, "every PUT is one committed increment, no conflict wasted");
    }

    private static int post(String repository) {
        return given().header("Authorization", "Bearer " + TOKEN).post(PATH.formatted(repository)).statusCode();
    }

    /** A gauge of the service's metrics, as Prometheus scrapes it. */
    private static double gauge(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void noTokenInAnyLogLine() throws Exception {
        // the service's categories; the test's own HTTP client (org.apache.http) logs what it sends
        try (LogCapture logs = new LogCapture("org.apache.camel", "io.fabric8", "io.vertx", "io.netty", "io.quarkus",
                "org.jboss", "dev.apprepo")) {
            given().header("Authorization", "Bearer " + TOKEN).post(PATH.formatted("repo")).then().statusCode(200);
            given().header("Authorization", "Bearer " + TOKEN).post(PATH.formatted("missing")).then().statusCode(404);
            given().header("Authorization", "Bearer " + TOKEN)
                    .post("/api/v1/clusters/elsewhere/namespaces/kubeapps/apprepositories/repo/refresh")
                    .then().statusCode(404);

            List<String> lines = logs.lines();
            assertTrue(lines.stream().anyMatch(line -> line.contains("TRACE") || line.contains("FINEST")
                    || line.contains("FINER") || line.contains("FINE")),
                    "the capture must see TRACE logging");
            for (String line : lines) {
                assertFalse(line.contains("caller-token"), line);
            }
        }
    }

    @Test
    void devModeApiIsNotRunning() {
        // the embedded API accepts any token: it must only exist in dev mode
        assertFalse(Arc.container().instance(EmbeddedKubernetesApi.class)
                .isAvailable());
    }
}
