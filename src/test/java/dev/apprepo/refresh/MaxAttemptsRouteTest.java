package dev.apprepo.refresh;

import java.util.List;
import java.util.Map;

import dev.apprepo.refresh.kubernetes.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** REFRESH_MAX_ATTEMPTS reaches the kamelet, whose own default the other route tests see. */
class MaxAttemptsRouteTest extends RouteTestSupport {

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    @Override
    List<Cluster> clusters() {
        return List.of(new Cluster("default", api.url(), null, false));
    }

    @Override
    Map<String, String> settings() {
        return Map.of("refresh.max-attempts", "2");
    }

    @Test
    void conflictsAreRetriedAsOftenAsTheSettingSays() throws Exception {
        startRoutes();
        api.seed("kubeapps", "hot");
        api.takeCalls();
        api.competingWrites(100);

        assertEquals(409, statusCode(post("POST", "Bearer caller-token", "default", "kubeapps", "hot", null)));

        api.competingWrites(0);
        assertEquals(2, api.takeCalls().stream().filter(call -> "PUT".equals(call.method())).count());
    }
}
