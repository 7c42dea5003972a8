package dev.apprepo.refresh;

import java.time.Duration;
import java.util.List;

import dev.apprepo.refresh.KubeappsApiResource.InjectKubeappsApi;
import dev.apprepo.refresh.support.KubernetesNames;
import io.fabric8.kubernetes.api.model.Event;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health, metrics, the OpenAPI description and the audit Events, as a platform team sees them. */
@QuarkusTest
@WithTestResource(KubeappsApiResource.class)
class ObservabilityTest {

    private static final String TOKEN = "observed-caller-token";
    private static final String PATH = "/api/v1/clusters/%s/namespaces/kubeapps/apprepositories/observed/refresh";

    @InjectKubeappsApi
    KubeappsApi api;

    @BeforeEach
    void seed() {
        api.seed("kubeapps", "observed");
    }

    @Test
    void livenessAndReadinessReportTheApiServer() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'kubernetes-api' }.data.default", equalTo("reachable"));
    }

    @Test
    void metricsCountRequestsAndApiCallsWithoutCredentials() {
        given().header("Authorization", "Bearer " + TOKEN).post(PATH.formatted("default")).then().statusCode(200);
        given().header("Authorization", "Bearer " + TOKEN).post(PATH.formatted("nowhere-" + System.nanoTime()))
                .then().statusCode(404);

        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();

        assertTrue(
                metrics.contains("apprepo_refresh_requests_total{cluster=\"default\",code=\"200\",sender=\"bearer\"}"),
                metrics);
        assertTrue(
                metrics.contains("apprepo_refresh_requests_total{cluster=\"unknown\",code=\"404\",sender=\"bearer\"}"),
                "a cluster nobody configured must not become a label value");
        assertTrue(metrics.contains(
                "apprepo_refresh_api_calls_seconds_count{cluster=\"default\",operation=\"update\",outcome=\"success\"}"));
        assertFalse(metrics.contains(TOKEN));
        assertFalse(metrics.contains("nowhere-"));
    }

    @Test
    void everyMetricHasAHelpTextAndItsSeriesExistFromStart() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();

        // nothing in this application ever conflicts or loses an Event: these can only come from the start
        for (String zero : List.of("apprepo_refresh_conflicts_total{cluster=\"default\"} 0.0",
                "apprepo_refresh_audit_events_total{outcome=\"denied\"} 0.0",
                "apprepo_refresh_audit_events_total{outcome=\"dropped\"} 0.0")) {
            assertTrue(metrics.lines().anyMatch(zero::equals), zero + " in\n" + metrics);
        }
        // series of what the configuration says will happen, whether or not it happened yet
        for (String series : List.of(
                "apprepo_refresh_requests_total{cluster=\"default\",code=\"200\",sender=\"bearer\"}",
                "apprepo_refresh_api_calls_seconds_count{cluster=\"default\",operation=\"get\",outcome=\"success\"}",
                "apprepo_refresh_conflicts_total{cluster=\"default\"}",
                "apprepo_refresh_coalesced_total ",
                "apprepo_refresh_audit_events_total{outcome=\"dropped\"}",
                "apprepo_refresh_requests_waiting ",
                "apprepo_refresh_updates_active ",
                "apprepo_refresh_clients_pooled ",
                "apprepo_refresh_deliveries_remembered ")) {
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith(series)), series + " in\n" + metrics);
        }
        List<String> families = metrics.lines().filter(line -> line.startsWith("# TYPE apprepo_"))
                .map(line -> line.split(" ")[2]).toList();
        assertTrue(families.size() >= 10, families::toString);
        for (String family : families) {
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith("# HELP " + family + " ")
                    && line.length() > ("# HELP " + family + " ").length() + 10),
                    "no HELP text for " + family);
        }
    }

    @Test
    void describesTheEndpointInOpenApiWithTheNameRulesTheRouteApplies() {
        String path = "/api/v1/clusters/{cluster}/namespaces/{namespace}/apprepositories/{name}/refresh";
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString(path))
                .body(containsString("\"refreshAppRepository\""))
                .rootPath("paths['" + path + "'].parameters")
                .body("find { it.name == 'namespace' }.schema.pattern", equalTo("^" + KubernetesNames.LABEL + "$"))
                .body("find { it.name == 'namespace' }.schema.maxLength", equalTo(63))
                .body("find { it.name == 'name' }.schema.pattern", equalTo("^" + KubernetesNames.SUBDOMAIN + "$"))
                .body("find { it.name == 'name' }.schema.maxLength", equalTo(253));
    }

    @Test
    void eachRefreshLeavesAnEventOnTheAppRepository() throws Exception {
        // a repository of this test's own, so that no other test's Event can answer for it
        String uid = api.seed("kubeapps", "audited").getMetadata().getUid();
        given().header("Authorization", "Bearer " + TOKEN)
                .post("/api/v1/clusters/default/namespaces/kubeapps/apprepositories/audited/refresh")
                .then().statusCode(200);

        // created in the background
        Event event = await().atMost(Duration.ofSeconds(30)).until(
                () -> api.events("kubeapps").stream().filter(found -> uid.equals(found.getInvolvedObject().getUid()))
                        .toList(),
                found -> !found.isEmpty()).get(0);
        assertEquals("RefreshRequested", event.getReason());
        assertEquals("AppRepository", event.getInvolvedObject().getKind());
        assertEquals("audited", event.getInvolvedObject().getName());
        assertEquals("Resync requested by a bearer webhook: spec.resyncRequests is now 1", event.getMessage());
        assertFalse(event.toString().contains(TOKEN));
    }
}
