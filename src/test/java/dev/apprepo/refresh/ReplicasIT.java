package dev.apprepo.refresh;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.ServiceInstances.Instance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static dev.apprepo.refresh.Deliveries.github;
import static dev.apprepo.refresh.Deliveries.payload;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three instances of the packaged service on one Kubernetes API, as a Deployment's replicas behind a Service: what
 * they must agree on (which deliveries were taken, whose update wins) goes through the AppRepository, and nothing
 * else is shared.
 */
class ReplicasIT {

    private static final String PATH = "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/%s/refresh";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUSH = payload("github/push.json");

    @RegisterExtension
    static final KubeappsApi API = new KubeappsApi(false);
    @RegisterExtension
    final ServiceInstances instances = new ServiceInstances(API);

    @TempDir
    static Path config;
    static Map<String, String> environment;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @BeforeAll
    static void configure() throws Exception {
        Path receivers = Files.writeString(config.resolve("receivers.yaml"), """
                receivers:
                  - {name: gh, type: github, namespace: kubeapps, repository: github, secrets: [gh-secret]}
                """);
        Path token = Files.writeString(config.resolve("token"), "service-own-token");
        environment = Map.of("REFRESH_RECEIVERS_CONFIG", receivers.toString(),
                "REFRESH_SERVICE_ACCOUNT_TOKEN_FILE", token.toString());
    }

    @Test
    void aBurstSplitAcrossReplicasIsAnsweredWithoutAConflictReachingAnyone() throws Exception {
        API.seed("kubeapps", "busy");
        List<Instance> replicas = instances.start(3, environment);
        API.takeCalls();
        int requests = 300;

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try (KubeappsApi.Hold hold = API.holdUpdates()) {
            for (int i = 0; i < requests; i++) {
                answers.add(send(replicas.get(i % replicas.size()), "busy",
                        Map.of("Authorization", "Bearer sender-token"), ""));
            }
            // every replica's first update is at the API's door, with the same resourceVersion, and the rest of
            // the burst waits behind them: all three will write at once
            await().atMost(ServiceInstances.HANG_GUARD).until(API::heldUpdates, held -> held == replicas.size());
            await().atMost(ServiceInstances.HANG_GUARD).until(() -> sum(replicas, "apprepo_refresh_requests_waiting"),
                    waiting -> waiting == requests - replicas.size());
        }

        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(2, TimeUnit.MINUTES);
            assertEquals(200, response.statusCode(), response.body());
        }
        List<ApiCall> puts = API.takeCalls().stream().filter(call -> "PUT".equals(call.method())).toList();
        long resyncRequests = API.resyncRequests("kubeapps", "busy");
        double conflicts = sum(replicas, "apprepo_refresh_conflicts_total");
        assertTrue(resyncRequests >= 1, "refreshed");
        assertEquals(puts.size() - conflicts, resyncRequests, 0.0, "every PUT but those refused is one increment");
        assertTrue(conflicts >= replicas.size() - 1, "the replicas' first updates collided: " + conflicts);
        System.out.printf("A burst of %d requests over %d replicas: %d PUTs, %.0f of them refused with 409 and "
                + "retried; spec.resyncRequests +%d%n", requests, replicas.size(), puts.size(), conflicts,
                resyncRequests);
    }

    @Test
    void oneDeliverySentToEveryReplicaRefreshesOnceAndStaysADuplicateAfterARestart() throws Exception {
        API.seed("kubeapps", "github");
        List<Instance> replicas = instances.start(3, environment);
        API.takeCalls();
        Map<String, String> delivery = github("push", "gh-secret", PUSH, "72d3162e-cc78-11e3-81ab-4c9367dc0958");

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try (KubeappsApi.Hold hold = API.holdUpdates()) {
            replicas.forEach(replica -> answers.add(send(replica, "github", delivery, PUSH)));
            // the three copies were read before any was recorded: the record decides in the update itself
            await().atMost(ServiceInstances.HANG_GUARD).until(API::heldUpdates, held -> held == replicas.size());
        }

        int refreshed = 0;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(2, TimeUnit.MINUTES);
            assertEquals(200, response.statusCode(), response.body());
            refreshed += JSON.readTree(response.body()).path("duplicate").asBoolean() ? 0 : 1;
        }
        assertEquals(1, refreshed, "one copy refreshed, the others are duplicates");
        assertEquals(1, API.resyncRequests("kubeapps", "github"));

        Instance restarted = replicas.get(0);
        restarted.terminate();
        restarted.awaitExit(ServiceInstances.HANG_GUARD);
        restarted.restart();
        API.takeCalls();

        HttpResponse<String> again = send(restarted, "github", delivery, PUSH).get(2, TimeUnit.MINUTES);

        assertEquals(200, again.statusCode(), again.body());
        assertTrue(JSON.readTree(again.body()).path("duplicate").asBoolean(), again.body());
        assertEquals(List.of("GET"), API.takeCalls().stream().map(ApiCall::method).toList(), "nothing written");
        assertEquals(1, API.resyncRequests("kubeapps", "github"));
    }

    private CompletableFuture<HttpResponse<String>> send(Instance instance, String repository,
            Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(instance.uri(PATH.formatted(repository)))
                .timeout(ServiceInstances.HANG_GUARD).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum over the replicas of one of their metrics, as Prometheus scrapes them. */
    private double sum(List<Instance> replicas, String metric) throws Exception {
        double sum = 0;
        for (Instance replica : replicas) {
            URI metrics = replica.uri("/q/metrics");
            String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            sum += text.lines().filter(line -> line.startsWith(metric + " ") || line.startsWith(metric + "{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        }
        return sum;
    }
}
