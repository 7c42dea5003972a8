package dev.apprepo.refresh;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.ResyncRequests;
import io.fabric8.kubernetes.api.model.Event;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.apprepo.refresh.Deliveries.STANDARD_SECRET;
import static dev.apprepo.refresh.Deliveries.github;
import static dev.apprepo.refresh.Deliveries.hmacHex;
import static dev.apprepo.refresh.Deliveries.payload;
import static dev.apprepo.refresh.Deliveries.standardWebhooks;
import static dev.apprepo.refresh.Deliveries.with;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed deliveries through the YAML route: one row per sender, event rule and failure. */
class SignedDeliveriesRouteTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE_TOKEN = "service-own-token";

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    private static final String RECEIVERS = """
            receivers:
              - {name: gh, type: github, namespace: kubeapps, repository: github, secrets: [old-gh-secret, gh-secret]}
              - {name: gl, type: gitlab, namespace: kubeapps, repository: gitlab, secrets: [gl-token]}
              - {name: nx, type: nexus, namespace: kubeapps, repository: nexus, secrets: [nx-secret]}
              - {name: hb, type: harbor, namespace: kubeapps, repository: harbor, secrets: [Bearer hb-secret]}
              - {name: gen, type: generic-hmac, algorithm: sha512, namespace: kubeapps, repository: generic,
                 secrets: [gen-secret]}
              - {name: sw, type: standard-webhooks, namespace: kubeapps, repository: standard,
                 secrets: [%s], events: [chart.pushed]}
            """.formatted(STANDARD_SECRET);

    @Override
    List<Cluster> clusters() {
        return List.of(new Cluster("default", api.url(), null, false, SERVICE_TOKEN));
    }

    @Override
    Map<String, String> settings() {
        return Map.of("refresh.receivers-config", write("receivers.yaml", RECEIVERS).toString(),
                "refresh.service-account-token-file", "/no/pod/token");
    }

    @BeforeEach
    void start() throws Exception {
        for (String repository : List.of("github", "gitlab", "nexus", "harbor", "generic", "standard", "plain")) {
            api.seed("kubeapps", repository);
        }
        startRoutes();
        api.takeCalls();
    }

    /** A delivery, what it gets, and the Authorization that reached the API (null: no API call). */
    record Case(String name, String repository, Map<String, String> headers, String body, int code, String apiToken,
            String pointer, String expected) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> deliveries() {
        String push = payload("github/push.json");
        String harborPush = payload("harbor/push-artifact.json");
        String gitlabPush = payload("gitlab/push-hook.json");
        String nexus = payload("nexus/component-created.json");
        long now = Instant.now().getEpochSecond();
        String chartPushed = "{\"type\":\"chart.pushed\",\"timestamp\":\"2026-11-22T08:00:00Z\",\"data\":{}}";
        String resync = "/appRepository/spec/resyncRequests";
        return Stream.of(
                new Case("github push", "github", github("push", "gh-secret", push, "d-1"), push, 200, SERVICE_TOKEN,
                        resync, "1"),
                new Case("github push signed with the older secret", "github",
                        github("push", "old-gh-secret", push, "d-2"), push, 200, SERVICE_TOKEN, resync, "1"),
                new Case("github release", "github",
                        github("release", "gh-secret", payload("github/release.json"), "d-3"),
                        payload("github/release.json"), 200, SERVICE_TOKEN, "/appRepository/metadata/name", "github"),
                new Case("github package", "github",
                        github("package", "gh-secret", payload("github/package.json"), "d-4"),
                        payload("github/package.json"), 200, SERVICE_TOKEN, "/appRepository/metadata/name", "github"),
                new Case("github ping", "github", github("ping", "gh-secret", payload("github/ping.json"), "d-5"),
                        payload("github/ping.json"), 200, null, "/message",
                        "pong: the signature verified; a ping refreshes nothing"),
                new Case("github pull_request is not in the default events", "github",
                        github("pull_request", "gh-secret", payload("github/pull_request.json"), "d-6"),
                        payload("github/pull_request.json"), 202, null, "/status", "ignored"),
                new Case("github signed with another secret", "github", github("push", "guess", push, "d-7"), push,
                        401, null, "/reason", "Unauthorized"),
                new Case("github sha1 signature only", "github", Map.of("X-GitHub-Event", "push",
                        "X-Hub-Signature", "sha1=" + hmacHex("HmacSHA1", "gh-secret", push)), push, 401, null,
                        "/reason", "Unauthorized"),
                new Case("github bad signature but a bearer token", "github",
                        with(github("push", "guess", push, "d-8"), "Authorization", "Bearer caller-token"), push,
                        200, "caller-token", resync, "1"),
                new Case("gitlab push", "gitlab", Map.of("X-Gitlab-Token", "gl-token", "X-Gitlab-Event", "Push Hook",
                        "X-Gitlab-Event-UUID", "u-1"), gitlabPush, 200, SERVICE_TOKEN, resync, "1"),
                new Case("gitlab merge request", "gitlab", Map.of("X-Gitlab-Token", "gl-token",
                        "X-Gitlab-Event", "Merge Request Hook"), gitlabPush, 202, null, "/status", "ignored"),
                new Case("gitlab wrong token", "gitlab", Map.of("X-Gitlab-Token", "gl-tokem", "X-Gitlab-Event",
                        "Push Hook"), gitlabPush, 401, null, "/reason", "Unauthorized"),
                new Case("nexus component", "nexus", Map.of("X-Nexus-Webhook-Id", "rm:repository:component",
                        "X-Nexus-Webhook-Delivery", "n-1", "X-Nexus-Webhook-Signature",
                        hmacHex("HmacSHA1", "nx-secret", nexus)), nexus, 200, SERVICE_TOKEN, resync, "1"),
                new Case("nexus malformed signature", "nexus", Map.of("X-Nexus-Webhook-Id", "rm:repository:component",
                        "X-Nexus-Webhook-Signature", "sha1=zz"), nexus, 401, null, "/reason", "Unauthorized"),
                new Case("harbor push", "harbor", Map.of("Authorization", "Bearer hb-secret"), harborPush, 200,
                        SERVICE_TOKEN, resync, "1"),
                new Case("harbor push as a CloudEvent", "harbor", Map.of("Authorization", "Bearer hb-secret"),
                        payload("harbor/push-artifact-cloudevent.json"), 200, SERVICE_TOKEN, resync, "1"),
                new Case("harbor pull is not a default event", "harbor", Map.of("Authorization", "Bearer hb-secret"),
                        payload("harbor/pull-artifact.json"), 202, null, "/status", "ignored"),
                new Case("harbor with another token is a bearer request", "harbor",
                        Map.of("Authorization", "Bearer caller-token"), harborPush, 200, "caller-token", resync, "1"),
                new Case("generic-hmac sha512", "generic", Map.of("X-Signature",
                        "sha512=" + hmacHex("HmacSHA512", "gen-secret", push)), push, 200, SERVICE_TOKEN, resync,
                        "1"),
                new Case("generic-hmac sha256 where sha512 is pinned", "generic", Map.of("X-Signature",
                        "sha256=" + hmacHex("HmacSHA256", "gen-secret", push)), push, 401, null, "/reason",
                        "Unauthorized"),
                new Case("standard-webhooks", "standard", standardWebhooks(now, chartPushed), chartPushed, 200,
                        SERVICE_TOKEN, resync, "1"),
                new Case("standard-webhooks ten minutes old", "standard", standardWebhooks(now - 600, chartPushed),
                        chartPushed, 401, null, "/reason", "Unauthorized"),
                new Case("no receiver for the repository: bearer only", "plain",
                        github("push", "gh-secret", push, "d-9"), push, 401, null, "/reason", "Unauthorized"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deliveries")
    void answers(Case delivery) throws Exception {
        Exchange response = send("POST", delivery.headers(), "default", "kubeapps", delivery.repository(),
                delivery.body().getBytes(StandardCharsets.UTF_8));

        String answer = response.getMessage().getBody(String.class);
        assertEquals(delivery.code(), statusCode(response), answer);
        assertEquals(delivery.expected(), JSON.readTree(answer).at(delivery.pointer()).asText(), answer);
        List<ApiCall> calls = api.takeCalls();
        if (delivery.apiToken() == null) {
            assertEquals(List.of(), calls);
        } else {
            assertEquals(List.of("GET", "PUT"), calls.stream().map(ApiCall::method).toList());
            calls.forEach(call -> assertEquals("Bearer " + delivery.apiToken(), call.authorization()));
        }
    }

    @Test
    void aRepeatedDeliveryRefreshesOnce() throws Exception {
        String push = payload("github/push.json");
        Map<String, String> headers = github("push", "gh-secret", push, "72d3162e-cc78-11e3-81ab-4c9367dc0958");

        Exchange first = send("POST", headers, "default", "kubeapps", "github", push);
        Exchange again = send("POST", headers, "default", "kubeapps", "github", push);

        assertEquals(200, statusCode(first));
        assertEquals(200, statusCode(again));
        JsonNode duplicate = JSON.readTree(again.getMessage().getBody(String.class));
        assertTrue(duplicate.path("duplicate").asBoolean(), duplicate.toString());
        assertEquals("72d3162e-cc78-11e3-81ab-4c9367dc0958", duplicate.path("deliveryId").asText());
        assertEquals(1, api.resyncRequests("kubeapps", "github"));
        assertEquals(2, api.takeCalls().size());
    }

    @Test
    void aDeliveryTheRepositoryRecordedIsADuplicateForEveryReplica() throws Exception {
        // what another replica, or this one before a restart, left on the object
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        api.annotate("kubeapps", "github", ResyncRequests.DELIVERIES, "{\"taken-elsewhere\":\"" + now + "\"}");
        String push = payload("github/push.json");

        Exchange duplicate = send("POST", github("push", "gh-secret", push, "taken-elsewhere"), "default", "kubeapps",
                "github", push);

        assertEquals(200, statusCode(duplicate));
        JsonNode answer = JSON.readTree(duplicate.getMessage().getBody(String.class));
        assertTrue(answer.path("duplicate").asBoolean(), answer.toString());
        assertEquals(List.of("GET"), api.takeCalls().stream().map(ApiCall::method).toList(), "nothing written");
        assertEquals(0, api.resyncRequests("kubeapps", "github"));
        assertEquals(1.0, meters.get("apprepo.refresh.duplicate.deliveries").tag("sender", "github").counter()
                .count());

        Exchange fresh = send("POST", github("push", "gh-secret", push, "d-new"), "default", "kubeapps", "github",
                push);

        assertEquals(200, statusCode(fresh));
        Map<String, String> annotations = api.get("kubeapps", "github").getMetadata().getAnnotations();
        assertEquals(Set.of("taken-elsewhere", "d-new"),
                JSON.readTree(annotations.get(ResyncRequests.DELIVERIES)).properties().stream()
                        .map(Map.Entry::getKey).collect(Collectors.toSet()));
        assertEquals("a github webhook (delivery d-new)", annotations.get(ResyncRequests.REQUESTED_BY));
        assertEquals("1", annotations.get(ResyncRequests.REQUESTS));
        // Events are created one after the other: once the second update's is there, a first would be too
        await().atMost(Duration.ofSeconds(30)).until(() -> repositoryEvents("github"), events -> !events.isEmpty());
        assertEquals(List.of("Resync requested by a github webhook (delivery d-new): spec.resyncRequests is now 1"),
                repositoryEvents("github"));
    }

    @Test
    void twoCopiesOfADeliveryAtOnceRefreshOnce() throws Exception {
        String push = payload("github/push.json");
        Map<String, String> headers = github("push", "gh-secret", push, "sent-twice");
        CompletableFuture<Exchange> first;
        CompletableFuture<Exchange> second;
        try (KubeappsApi.Hold hold = api.holdUpdates()) {
            first = CompletableFuture.supplyAsync(() -> send("POST", headers, "default", "kubeapps", "github", push));
            await().atMost(Duration.ofSeconds(30)).until(api::heldUpdates, held -> held == 1);
            second = CompletableFuture.supplyAsync(() -> send("POST", headers, "default", "kubeapps", "github", push));
            // the copy waits for the update the first one started
            await().atMost(Duration.ofSeconds(30)).until(() -> gauge("apprepo.refresh.requests.waiting"),
                    waiting -> waiting == 1);
        }

        List<Exchange> answers = List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS));
        assertEquals(List.of(200, 200), answers.stream().map(RouteTestSupport::statusCode).toList());
        assertEquals(1, api.resyncRequests("kubeapps", "github"));
        assertEquals(List.of(false, true), answers.stream().map(answer -> {
            try {
                return JSON.readTree(answer.getMessage().getBody(String.class)).path("duplicate").asBoolean();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList());
        assertEquals(1, api.takeCalls().stream().filter(call -> "PUT".equals(call.method())).count());
    }

    /** The Events about the repository as it is now, not about the ones of the same name before it. */
    private List<String> repositoryEvents(String repository) {
        String uid = api.get("kubeapps", repository).getMetadata().getUid();
        return api.events("kubeapps").stream()
                .filter(event -> uid.equals(event.getInvolvedObject().getUid()))
                .map(Event::getMessage).toList();
    }

    @Test
    void aFailedRefreshIsNotRememberedSoTheSendersRetryCounts() throws Exception {
        String push = payload("github/push.json");
        Map<String, String> headers = github("push", "gh-secret", push, "retry-1");
        api.competingWrites(100);
        assertEquals(409, statusCode(send("POST", headers, "default", "kubeapps", "github", push)));
        api.competingWrites(0);

        Exchange retry = send("POST", headers, "default", "kubeapps", "github", push);

        assertEquals(200, statusCode(retry), retry.getMessage().getBody(String.class));
        assertEquals(1, api.resyncRequests("kubeapps", "github"));
    }

    @Test
    void bearerRequestsIgnoreEventsAndDeliveryIds() throws Exception {
        Map<String, String> headers = Map.of("Authorization", "Bearer caller-token", "X-GitHub-Event", "ping",
                "X-GitHub-Delivery", "same");

        assertEquals(200, statusCode(send("POST", headers, "default", "kubeapps", "plain", "")));
        assertEquals(200, statusCode(send("POST", headers, "default", "kubeapps", "plain", "")));

        assertEquals(2, api.resyncRequests("kubeapps", "plain"));
    }
}
