package dev.apprepo.refresh;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import dev.apprepo.refresh.RawHttp.Answer;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every request is answered or its connection closed in bounded time, whatever the client sends or leaves unsent;
 * with timeouts short enough for a test.
 */
@QuarkusTest
@TestProfile(HttpTimeoutsTest.ShortTimeouts.class)
@WithTestResource(KubeappsApiResource.class)
class HttpTimeoutsTest {

    private static final String PATH = "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/timed/refresh";
    private static final Duration AT_MOST = Duration.ofSeconds(60);

    public static class ShortTimeouts implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // the body's deadline comes before the connection's idle time runs out
            return Map.of("quarkus.http.read-timeout", "1s", "quarkus.http.idle-timeout", "10s");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {PATH, "/." + PATH, "/x/.." + PATH})
    void aBodyShorterThanItsContentLengthIsRefused(String path) throws Exception {
        try (RawHttp http = new RawHttp()) {
            http.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nten bytes.");

            assertTimedOut(http.answer());
            await().atMost(AT_MOST).until(http::closedByService);
        }
    }

    @Test
    void theRestOfABodyAnsweredEarlyHasTheReadTimeoutToo() throws Exception {
        try (RawHttp http = new RawHttp()) {
            assertEquals(404, http.send("POST /api/v1/nothing HTTP/1.1\r\nHost: localhost\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").answer().code());
            // chunks of one byte under long extensions: hardly any data, and never idle
            String chunk = "1;" + "e".repeat(4000) + "\r\nx\r\n";

            await().atMost(AT_MOST).pollInterval(Duration.ofMillis(100)).until(() -> {
                try {
                    http.send(chunk);
                } catch (IOException closed) {
                    return true;
                }
                return http.closedByService();
            });
        }
    }

    @Test
    void aMultipartFilePartThatNeverEndsIsRefused() throws Exception {
        try (RawHttp http = new RawHttp()) {
            http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\n\r\n");
            String part = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.tgz\"\r\n\r\nstarted";
            http.send(Integer.toHexString(part.length()) + "\r\n" + part + "\r\n");

            assertTimedOut(http.answer());
            await().atMost(AT_MOST).until(http::closedByService);
        }
    }

    @Test
    void halfSentHeadersAreCutOff() throws Exception {
        try (RawHttp http = new RawHttp()) {
            http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nAuthor");

            await().atMost(AT_MOST).until(http::closedByService);
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (RawHttp http = new RawHttp()) {
            await().atMost(AT_MOST).until(http::closedByService);
        }
        // and one kept alive after its answer
        try (RawHttp http = new RawHttp()) {
            assertEquals(401, http.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
                    .answer().code());

            await().atMost(AT_MOST).until(http::closedByService);
        }
    }

    private static void assertTimedOut(Answer answer) {
        assertEquals(408, answer.code(), answer.body());
        assertEquals("close", answer.headers().get("connection"));
        Status status = Serialization.unmarshal(answer.body(), Status.class);
        assertEquals("Status", status.getKind());
        assertEquals(408, status.getCode());
        assertEquals("Timeout", status.getReason());
    }
}
