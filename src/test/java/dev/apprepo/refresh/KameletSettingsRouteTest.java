package dev.apprepo.refresh;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.ResyncRequests;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.apprepo.refresh.Deliveries.github;
import static dev.apprepo.refresh.Deliveries.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's settings that the kamelet applies (REFRESH_MAX_ATTEMPTS, REFRESH_DELIVERIES_RETENTION) reach it;
 * the other route tests see its defaults.
 */
class KameletSettingsRouteTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    @Override
    List<Cluster> clusters() {
        return List.of(new Cluster("default", api.url(), null, false, "service-own-token"));
    }

    @Override
    Map<String, String> settings() {
        return Map.of("refresh.max-attempts", "2",
                "refresh.deliveries.retention", "1h",
                "refresh.receivers-config", write("receivers.yaml", """
                        receivers:
                          - {name: gh, type: github, namespace: kubeapps, repository: github, secrets: [gh-secret]}
                        """).toString(),
                "refresh.service-account-token-file", "/no/pod/token");
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

    @Test
    void aDeliveryRecordedLongerAgoThanTheRetentionRefreshesAgain() throws Exception {
        startRoutes();
        api.seed("kubeapps", "github");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        api.annotate("kubeapps", "github", ResyncRequests.DELIVERIES, "{\"two-hours-ago\":\""
                + now.minus(2, ChronoUnit.HOURS) + "\",\"just-now\":\"" + now + "\"}");
        String push = payload("github/push.json");

        Exchange forgotten = send("POST", github("push", "gh-secret", push, "two-hours-ago"), "default", "kubeapps",
                "github", push);
        Exchange recent = send("POST", github("push", "gh-secret", push, "just-now"), "default", "kubeapps",
                "github", push);

        assertFalse(JSON.readTree(forgotten.getMessage().getBody(String.class)).path("duplicate").asBoolean());
        assertTrue(JSON.readTree(recent.getMessage().getBody(String.class)).path("duplicate").asBoolean());
        assertEquals(1, api.resyncRequests("kubeapps", "github"));
    }
}
