package dev.apprepo.refresh.quarkus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.Clusters;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubernetesApiReadinessTest {

    private static HealthCheckResponse check(List<Cluster> clusters) {
        return new KubernetesApiReadiness(Clusters.of(clusters, () -> null)).call();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void readyWhileOneApiServerAnswersAndSaysWhichDoNot() throws IOException {
        try (ServerSocket api = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HealthCheckResponse response = check(List.of(
                    new Cluster("default", "https://127.0.0.1:" + api.getLocalPort(), null, false),
                    new Cluster("edge", "https://127.0.0.1:" + closedPort(), null, false)));

            assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
            assertEquals("reachable", response.getData().orElseThrow().get("default"));
            assertTrue(response.getData().orElseThrow().get("edge").toString().startsWith("unreachable"));
        }
    }

    @Test
    void notReadyWhenNoApiServerAnswers() throws IOException {
        HealthCheckResponse response = check(List.of(
                new Cluster("default", "https://127.0.0.1:" + closedPort(), null, false)));

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
    }
}
