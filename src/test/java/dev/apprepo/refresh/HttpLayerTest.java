package dev.apprepo.refresh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.apprepo.refresh.KubeappsApiResource.InjectKubeappsApi;
import dev.apprepo.refresh.RawHttp.Answer;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a client can send that no well-behaved sender does, over a raw connection to the service. */
@QuarkusTest
@WithTestResource(KubeappsApiResource.class)
class HttpLayerTest {

    private static final String TOKEN = "http-layer-caller-token";
    private static final String PATH = "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/%s/refresh";
    private static final String TEMPLATE = PATH.formatted("{name}").replace("/default/", "/{cluster}/")
            .replace("/kubeapps/", "/{namespace}/");
    private static final String BOUNDARY = "refresh-boundary";

    @InjectKubeappsApi
    KubeappsApi api;

    @Inject
    Vertx vertx;

    @BeforeEach
    void seed() {
        api.seed("kubeapps", "layered");
        api.takeCalls();
    }

    static Stream<Arguments> refusals() {
        String path = PATH.formatted("layered");
        return Stream.of(
                refusal("no credential", post(path, "", "Content-Length: 0"), 401, "Unauthorized"),
                refusal("another method", request("GET", path, "", "Authorization: Bearer " + TOKEN), 405,
                        "MethodNotAllowed"),
                refusal("a path under /api/v1 that names no refresh",
                        post("/api/v1/clusters/default/namespaces/kubeapps", "", "Content-Length: 0"), 404, "NotFound"),
                refusal("/api/v1 itself", post("/api/v1", "", "Content-Length: 0"), 404, "NotFound"),
                refusal("a path that climbs out of /api/v1", post("/api/v1/../v2/clusters", "", "Content-Length: 0"),
                        404, "NotFound"),
                refusal("a URI longer than the service reads", post(path + "?" + "q".repeat(5000), "",
                        "Content-Length: 0"), 414, "BadRequest"),
                refusal("headers larger than the service reads", post(path, "", "Content-Length: 0",
                        "X-Padding: " + "p".repeat(30 * 1024)), 431, "BadRequest"),
                refusal("a declared body over the limit", post(path, "", "Authorization: Bearer " + TOKEN,
                        "Content-Length: " + 200 * 1024 * 1024), 413, "RequestEntityTooLarge"),
                refusal("a form body that does not decode", post(path, "%zz=%", "Authorization: Bearer " + TOKEN,
                        "Content-Type: application/x-www-form-urlencoded", "Content-Length: 5"), 400, "BadRequest"),
                refusal("an expectation the service cannot meet", post(path, "", "Authorization: Bearer " + TOKEN,
                        "Expect: tea", "Content-Length: 1"), 417, "BadRequest"),
                refusal("no Host header", "POST " + path + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400, "BadRequest"),
                refusal("a Content-Length beside chunked encoding", post(path, "0\r\n\r\n", "Content-Length: 5",
                        "Transfer-Encoding: chunked"), 401, "Unauthorized"),
                refusal("a multipart body without its closing boundary", multipart(path, "chart".repeat(1000), false),
                        401, "Unauthorized"),
                refusal("a multipart body without a boundary", post(path, "chart", "Content-Type: multipart/form-data",
                        "Content-Length: 5"), 401, "Unauthorized"),
                refusal("a multipart body in a charset there is none of", post(path, "a=b",
                        "Content-Type: multipart/form-data; boundary=xx; charset=x-unknown", "Content-Length: 3"),
                        400, "BadRequest"),
                refusal("a multipart body in a charset that cannot be named", post(path, "a=b",
                        "Content-Type: multipart/form-data; boundary=xx; charset=\"not a name\"", "Content-Length: 3"),
                        400, "BadRequest"),
                refusal("a declared body over the limit on a path that normalizes to the refresh",
                        post("/./" + path.substring(1), "", "Authorization: Bearer " + TOKEN,
                                "Content-Length: " + 200 * 1024 * 1024),
                        413, "RequestEntityTooLarge"),
                refusal("a URI longer than the service reads, under a path that normalizes to /api/v1",
                        post("/x/.." + path + "?" + "q".repeat(5000), "", "Content-Length: 0"), 414, "BadRequest"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithAStatus(String name, String request, int code, String reason) throws Exception {
        Answer answer;
        try (RawHttp http = new RawHttp()) {
            answer = http.send(request).answer();
        }

        assertEquals(code, answer.code(), answer.body());
        assertEquals("application/json", answer.headers().get("content-type"));
        Status status = Serialization.unmarshal(answer.body(), Status.class);
        assertEquals("Status", status.getKind());
        assertEquals("Failure", status.getStatus());
        assertEquals(code, status.getCode());
        assertEquals(reason, status.getReason());
        assertFalse(status.getMessage().isBlank());
        assertEquals(List.of(), api.takeCalls());
    }

    @Test
    void closesTheConnectionRatherThanReadAnOversizedBody() throws Exception {
        byte[] chunk = ("10000\r\n" + "b".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[0x10000];
        try (RawHttp http = new RawHttp()) {
            Answer answer = http.send(post(PATH.formatted("layered"), "", "Authorization: Bearer " + TOKEN,
                    "Content-Length: " + 200 * 1024 * 1024)).answer();
            assertEquals(413, answer.code());
            assertEquals("close", answer.headers().get("connection"));

            assertThrows(IOException.class, () -> sendMiB(http, bytes, 200), "200 MiB of a refused body were read");
        }
        // answered by Quarkus itself, on a path of no route
        try (RawHttp http = new RawHttp()) {
            http.send(post("/elsewhere", "", "Transfer-Encoding: chunked"));
            assertThrows(IOException.class, () -> sendMiB(http, chunk, 200), "200 MiB of an unread body were read");
        }
        // no Content-Length: the body outgrows the limit while it streams in
        try (RawHttp http = new RawHttp()) {
            http.send(post(PATH.formatted("layered"), "", "Authorization: Bearer " + TOKEN,
                    "Transfer-Encoding: chunked"));

            assertThrows(IOException.class, () -> sendMiB(http, chunk, 200), "200 MiB of a refused body were read");
        }
        assertEquals(List.of(), api.takeCalls());
    }

    /** HTTP/2 has no Connection header: a refusal before the body's end answers on the stream, not with a reset. */
    @Test
    void refusesOverHttp2WithAStatus() throws Exception {
        HttpClient http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        try {
            Map.Entry<Integer, String> answer = http2.request(HttpMethod.POST, RestAssured.port, "localhost",
                    PATH.formatted("layered"))
                    .compose(request -> request.putHeader("Authorization", "Bearer " + TOKEN)
                            .putHeader("Content-Length", String.valueOf(200 * 1024 * 1024)).sendHead()
                            .compose(sent -> request.response()))
                    .compose(response -> response.body().map(body -> Map.entry(response.statusCode(),
                            body.toString())))
                    .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

            assertEquals(413, answer.getKey(), answer.getValue());
            assertEquals("RequestEntityTooLarge",
                    Serialization.unmarshal(answer.getValue(), Status.class).getReason());
        } finally {
            http2.close();
        }
    }

    /**
     * Sends 64 KiB pieces until so many MiB are sent, or the service closed the connection. A service that stopped
     * reading without closing would block the writes until its idle timeout, minutes away: that fails the guard.
     */
    private static void sendMiB(RawHttp http, byte[] piece, int mebibytes) throws IOException {
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            for (int pieces = 0; pieces < mebibytes * 16; pieces++) {
                http.send(piece);
            }
        });
    }

    @Test
    void noMultipartBodyReachesTheDisk() throws Exception {
        String marker = "uploaded-" + UUID.randomUUID();
        String content = marker.repeat(20_000);
        // a directory of the test's own (application.properties): no other process makes or fills it
        Path uploads = Path
                .of(ConfigProvider.getConfig().getValue("quarkus.http.body.uploads-directory", String.class));
        assertFalse(Files.exists(uploads), "the uploads directory " + uploads + " was made before the test");
        Instant start = Instant.now().minusSeconds(2);
        String path = PATH.formatted("layered");

        // complete: refreshed, and refused without a credential
        try (RawHttp http = new RawHttp()) {
            assertEquals(200, http.send(multipart(path, content, true, "Authorization: Bearer " + TOKEN)).answer()
                    .code());
        }
        try (RawHttp http = new RawHttp()) {
            assertEquals(401, http.send(multipart(path, content, true)).answer().code());
        }
        // without its closing boundary
        try (RawHttp http = new RawHttp()) {
            assertEquals(401, http.send(multipart(path, content, false)).answer().code());
        }
        // abandoned mid-body: the rest never comes, the client leaves
        String whole = multipart(path, content, true);
        try (RawHttp http = new RawHttp()) {
            http.send(whole.substring(0, whole.length() / 2));
        }
        // a request on another connection after it, answered once the service has seen the first
        given().header("Authorization", "Bearer " + TOKEN).post(path).then().statusCode(200);

        assertFalse(Files.exists(uploads), "the uploads directory " + uploads + " was made");
        List<Path> written = new ArrayList<>();
        for (Path dir : List.of(uploads, Path.of(System.getProperty("java.io.tmpdir")))) {
            written.addAll(filesContaining(dir, marker, start));
        }
        assertEquals(List.of(), written);
    }

    @Test
    void metricLabelsTakeOnlyBoundedValues() throws Exception {
        for (int i = 0; i < 30; i++) {
            String repository = "odd-" + i;
            for (String path : List.of(
                    "/api/v1/././clusters/default/namespaces/kubeapps/apprepositories/" + repository + "/refresh",
                    "/api/v1//clusters/default;jsessionid=" + i + "/namespaces/kubeapps/apprepositories/" + repository
                            + "/refresh",
                    "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/" + repository + "/refresh/" + i,
                    "/api/v1/nothing-" + i,
                    "/elsewhere-" + i)) {
                for (String method : List.of("POST", "GET", "FETCH" + i)) {
                    try (RawHttp http = new RawHttp()) {
                        http.send(request(method, path, "", "Content-Length: 0")).answer();
                    }
                }
            }
            // the client leaves before its answer
            try (RawHttp http = new RawHttp()) {
                http.send(post("/api/v1/left-" + i, "12", "Content-Length: 10"));
            }
            try (RawHttp http = new RawHttp()) {
                http.send(post(PATH.formatted("x%zz" + i), "", "Content-Length: 0")).answer();
            }
        }

        Map<String, Set<String>> labels = new HashMap<>();
        Pattern label = Pattern.compile("(\\w+)=\"([^\"]*)\"");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        metrics.lines().filter(line -> !line.startsWith("#") && line.contains("{")).forEach(line -> {
            String family = line.substring(0, line.indexOf('{'));
            Matcher values = label.matcher(line.substring(line.indexOf('{'), line.lastIndexOf('}')));
            while (values.find()) {
                labels.computeIfAbsent(family + " " + values.group(1), key -> new HashSet<>()).add(values.group(2));
            }
        });

        Set<String> uris = labels.get("http_server_requests_seconds_count uri");
        assertTrue(Set.of(TEMPLATE, "other", "root").containsAll(uris), uris::toString);
        assertTrue(uris.contains(TEMPLATE), uris::toString);
        Set<String> methods = labels.get("http_server_requests_seconds_count method");
        assertTrue(Set.of("GET", "POST", "OTHER").containsAll(methods), methods::toString);
        labels.forEach((key, values) -> assertTrue(values.size() <= 20, key + " takes " + values));
        assertFalse(metrics.contains("odd-") || metrics.contains("jsessionid") || metrics.contains("nothing-")
                || metrics.contains("elsewhere-") || metrics.contains("FETCH") || metrics.contains("left-"));
    }

    @Test
    void clientMistakesAndDeparturesAreNoErrorOrWarning() throws Exception {
        String path = PATH.formatted("layered");
        try (LogCapture logs = new LogCapture("dev.apprepo", "io.quarkus", "io.vertx", "io.netty",
                "org.apache.camel")) {
            // leaves mid-body
            try (RawHttp http = new RawHttp()) {
                http.send(post(path, "0123456789", "Authorization: Bearer " + TOKEN, "Content-Length: 1000"));
            }
            // a chunk size that is not a number: Vert.x closes the connection
            try (RawHttp http = new RawHttp()) {
                http.send(post(path, "zz\r\nhello\r\n0\r\n\r\n", "Authorization: Bearer " + TOKEN,
                        "Transfer-Encoding: chunked"));
                await().atMost(Duration.ofSeconds(60)).until(http::closedByService);
            }
            // leaves while its refresh is under way
            try (KubeappsApi.Hold hold = api.holdUpdates()) {
                try (RawHttp http = new RawHttp()) {
                    http.send(post(path, "", "Authorization: Bearer " + TOKEN, "Content-Length: 0"));
                    await().atMost(Duration.ofSeconds(60)).until(api::heldUpdates, held -> held == 1);
                }
            }
            // malformed ones, answered
            for (Arguments refusal : refusals().toList()) {
                try (RawHttp http = new RawHttp()) {
                    http.send((String) refusal.get()[1]).answer();
                }
            }

            // the service has seen both departures before the body, and the refresh has ended
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.lines().stream()
                    .filter(line -> line.contains("HttpClosedException")).count() >= 2
                    && logs.lines().stream().anyMatch(line -> line.contains("refresh default/kubeapps/layered: 200")));
            Pattern errorOrWarning = Pattern.compile("(?m)^(ERROR|WARN|WARNING|SEVERE): ");
            for (String line : logs.lines()) {
                assertFalse(errorOrWarning.matcher(line).find(), line);
            }
        }
    }

    private static Arguments refusal(String name, String request, int code, String reason) {
        return Arguments.of(name, request, code, reason);
    }

    private static String post(String path, String body, String... headers) {
        return request("POST", path, body, headers);
    }

    private static String request(String method, String path, String body, String... headers) {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").append(body).toString();
    }

    /** A multipart form with one file part, with or without the closing boundary. */
    private static String multipart(String path, String content, boolean closed, String... headers) {
        String body = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"chart\"; filename=\"chart.tgz\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n" + content
                + (closed ? "\r\n--" + BOUNDARY + "--\r\n" : "");
        List<String> all = new ArrayList<>(List.of(headers));
        all.add("Content-Type: multipart/form-data; boundary=" + BOUNDARY);
        all.add("Content-Length: " + body.length());
        return post(path, body, all.toArray(String[]::new));
    }

    /** Regular files under a directory, written since a moment, that hold the text. */
    private static List<Path> filesContaining(Path dir, String text, Instant since) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        byte[] needle = text.getBytes(StandardCharsets.ISO_8859_1);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isAfter(since)
                        && attributes.size() >= needle.length && attributes.size() < 64 * 1024 * 1024) {
                    try {
                        if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text)) {
                            found.add(file);
                        }
                    } catch (IOException unreadable) {
                        // another process's file, gone or not ours to read
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) {
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }
}
