package dev.apprepo.refresh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.kubernetes.Cluster;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** What a caller gets when the API cannot be reached, does not answer, or fails TLS. */
class ApiFailuresRouteTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    static KubeappsApi tlsApi;
    static ServerSocket silent;
    static int closedPort;
    static final List<Socket> held = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startServers() throws IOException {
        tlsApi = new KubeappsApi(true);
        tlsApi.seed("kubeapps", "repo");
        // accepts connections and never answers
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-api");
        acceptor.setDaemon(true);
        acceptor.start();
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterAll
    static void stopServers() throws IOException {
        tlsApi.close();
        silent.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    @Override
    List<Cluster> clusters() {
        return List.of(
                new Cluster("silent", "http://127.0.0.1:" + silent.getLocalPort(), null, false),
                new Cluster("closed", "http://127.0.0.1:" + closedPort, null, false),
                new Cluster("untrusted-tls", tlsApi.url(), null, false),
                new Cluster("insecure-tls", tlsApi.url(), null, true));
    }

    @BeforeEach
    void start() throws Exception {
        startRoutes();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "silent, 504, Timeout",
            "closed, 503, ServiceUnavailable",
            "untrusted-tls, 502, BadGateway",
            "insecure-tls, 200, ''",
    })
    void answersWithinTheTimeout(String cluster, int code, String reason) throws Exception {
        // a guard against hanging, far above the API timeout (10 s by default); not a measure of speed
        Exchange response = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> post("POST", "Bearer caller-token", cluster, "kubeapps", "repo", null));

        assertEquals(code, statusCode(response), () -> response.getMessage().getBody(String.class));
        JsonNode body = JSON.readTree(response.getMessage().getBody(String.class));
        if (code != 200) {
            assertEquals(reason, body.path("reason").asText());
            assertEquals(code, body.path("code").asInt());
        }
    }
}
