package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.apprepo.refresh.KubeappsApiResource.InjectKubeappsApi;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed deliveries over real HTTP, refreshed with the pod's own ServiceAccount token. */
@QuarkusTest
@TestProfile(SignedDeliveriesTest.Receivers.class)
@WithTestResource(KubeappsApiResource.class)
class SignedDeliveriesTest {

    private static final String PATH = "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/%s/refresh";

    public static class Receivers implements QuarkusTestProfile {

        static final Path DIR;
        static final Path POD_TOKEN;

        static {
            try {
                DIR = Files.createTempDirectory("signed-deliveries");
                POD_TOKEN = Files.writeString(DIR.resolve("token"), "pod-token-1\n");
                Files.writeString(DIR.resolve("gh-secret"), "gh-secret");
                Files.writeString(DIR.resolve("receivers.yaml"), """
                        receivers:
                          - name: charts-github
                            type: github
                            namespace: kubeapps
                            repository: github
                            secrets: ["file:%s"]
                          - name: charts-harbor
                            type: harbor
                            namespace: kubeapps
                            repository: harbor
                            secrets: [Bearer hb-secret]
                        """.formatted(DIR.resolve("gh-secret")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("refresh.receivers-config", DIR.resolve("receivers.yaml").toString(),
                    "refresh.service-account-token-file", POD_TOKEN.toString());
        }
    }

    @InjectKubeappsApi
    KubeappsApi api;

    @BeforeEach
    void seed() {
        for (String name : List.of("github", "harbor")) {
            api.seed("kubeapps", name);
        }
        apiAuthorizations();
    }

    /** The Authorization headers of AppRepository calls since the last call (audit Events aside). */
    private List<String> apiAuthorizations() {
        return api.takeCalls().stream().map(KubeappsApi.ApiCall::authorization).toList();
    }

    private static String signature(String body) {
        return "sha256=" + Deliveries.hmacHex("HmacSHA256", "gh-secret", body);
    }

    @Test
    void githubJsonDeliveryRefreshesWithThePodsToken() throws Exception {
        String push = Deliveries.payload("github/push.json");

        given().contentType(ContentType.JSON).header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "json-1").header("X-Hub-Signature-256", signature(push)).body(push)
                .when().post(PATH.formatted("github"))
                .then().statusCode(200).body("appRepository.spec.resyncRequests", equalTo(1));

        assertEquals(List.of("Bearer pod-token-1", "Bearer pod-token-1"), apiAuthorizations());
    }

    @Test
    void githubFormEncodedDeliveryIsVerifiedOverTheRawBody() throws Exception {
        String form = "payload=" + URLEncoder.encode(Deliveries.payload("github/push.json"),
                StandardCharsets.UTF_8);

        // GitHub's default content type; sent byte for byte as signed
        var request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI
                + ":" + RestAssured.port
                + PATH.formatted("github")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-GitHub-Event", "push").header("X-GitHub-Delivery", "form-1")
                .header("X-Hub-Signature-256", signature(form))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        var response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"resyncRequests\":1"), response.body());
    }

    @Test
    void aRotatedPodTokenIsUsedWithoutARestart() throws Exception {
        String body = Deliveries.payload("harbor/push-artifact.json");
        given().header("Authorization", "Bearer hb-secret").body(body).post(PATH.formatted("harbor"))
                .then().statusCode(200);
        assertTrue(apiAuthorizations().stream().allMatch("Bearer pod-token-1"::equals));

        Files.writeString(Receivers.POD_TOKEN, "pod-token-2\n");
        Files.setLastModifiedTime(Receivers.POD_TOKEN, FileTime.from(Instant.now().plusSeconds(5)));
        given().header("Authorization", "Bearer hb-secret").body(body).post(PATH.formatted("harbor"))
                .then().statusCode(200);

        assertEquals(List.of("Bearer pod-token-2", "Bearer pod-token-2"), apiAuthorizations());
    }

    @Test
    void neitherSecretsNorTokensAreLogged() throws Exception {
        String push = Deliveries.payload("github/push.json");
        try (LogCapture logs = new LogCapture("org.apache.camel", "io.fabric8", "io.vertx", "io.netty", "io.quarkus",
                "org.jboss", "dev.apprepo")) {
            given().header("X-GitHub-Event", "push").header("X-GitHub-Delivery", "logged-1")
                    .header("X-Hub-Signature-256", signature(push)).body(push).post(PATH.formatted("github"))
                    .then().statusCode(200);
            given().header("Authorization", "Bearer hb-secret")
                    .body(Deliveries.payload("harbor/push-artifact.json")).post(PATH.formatted("harbor"))
                    .then().statusCode(200);
            given().header("X-GitHub-Event", "push").header("X-Hub-Signature-256", "sha256=00")
                    .body(push).post(PATH.formatted("github")).then().statusCode(401);

            for (String line : logs.lines()) {
                assertFalse(line.contains("pod-token") || line.contains("hb-secret") || line.contains("gh-secret"),
                        line);
            }
        }
    }
}
