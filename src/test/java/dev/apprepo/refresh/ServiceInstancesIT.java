package dev.apprepo.refresh;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.apprepo.refresh.ServiceInstances.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two instances of the packaged service share the AppRepositories of one Kubernetes API, and nothing else. */
class ServiceInstancesIT {

    @RegisterExtension
    static final KubeappsApi API = new KubeappsApi(false);
    @RegisterExtension
    final ServiceInstances instances = new ServiceInstances(API);

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void replicasRefreshOneRepositoryAndOneStartsAgainOnItsPort() throws Exception {
        API.seed("kubeapps", "bitnami");
        List<Instance> replicas = instances.start(2, Map.of());
        assertFalse(replicas.get(0).port() == replicas.get(1).port(), "a port each");

        for (Instance replica : replicas) {
            assertEquals(200, refresh(replica).statusCode());
        }
        assertEquals(2, API.resyncRequests("kubeapps", "bitnami"));

        Instance first = replicas.get(0);
        first.terminate();
        // 143: the JVM ended by SIGTERM once its shutdown hooks ran
        assertEquals(143, first.awaitExit(Duration.ofMinutes(2)), first.log());
        first.restart();
        assertTrue(first.ready());
        assertEquals(200, refresh(first).statusCode());
        assertEquals(3, API.resyncRequests("kubeapps", "bitnami"));
    }

    private HttpResponse<String> refresh(Instance instance) throws Exception {
        return http.send(HttpRequest.newBuilder(
                instance.uri("/api/v1/clusters/default/namespaces/kubeapps/apprepositories/bitnami/refresh"))
                .header("Authorization", "Bearer some-token").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
