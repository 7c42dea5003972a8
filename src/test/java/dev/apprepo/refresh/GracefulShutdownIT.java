package dev.apprepo.refresh;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.apprepo.refresh.ServiceInstances.Instance;
import dev.apprepo.refresh.StallingApi.Stall;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM, as the kubelet sends it when a pod goes: the packaged service takes itself out of readiness, keeps serving
 * for its drain delay, answers every request it accepted, and exits.
 */
class GracefulShutdownIT {

    /**
     * Long enough that a request the test sends once it saw readiness go DOWN surely arrives before the drain ends,
     * on however busy a machine (it takes a few milliseconds); the test waits it out once, to see what the service
     * does after it.
     */
    private static final String TEST_DRAIN_DELAY = "20s";
    /** A guard against a wait that never ends, not a measure of speed. */
    private static final Duration GUARD = ServiceInstances.HANG_GUARD;

    @RegisterExtension
    static final KubeappsApi API = new KubeappsApi(false);
    @RegisterExtension
    final ServiceInstances instances = new ServiceInstances(API);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void answersEveryAcceptedRequestOnceTheUpdatesItWaitsForEnd() throws Exception {
        List<String> repositories = List.of("repo-0", "repo-1", "repo-2", "repo-3", "repo-4");
        repositories.forEach(name -> API.seed("kubeapps", name));
        Instance instance = instances.start(Map.of("QUARKUS_SHUTDOWN_DELAY", TEST_DRAIN_DELAY,
                // the updates stay held for as long as the test needs
                "REFRESH_API_TIMEOUT", "10m", "QUARKUS_SHUTDOWN_TIMEOUT", "10m"));

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try (KubeappsApi.Hold hold = API.holdUpdates()) {
            for (String repository : repositories.subList(0, 4)) {
                answers.add(refresh(instance, repository));
            }
            await().atMost(GUARD).until(() -> API.heldUpdates() == 4);
            // two more for repo-0: they wait in its lane for the held update, and are answered by the next one
            answers.add(refresh(instance, "repo-0"));
            answers.add(refresh(instance, "repo-0"));
            await().atMost(GUARD).until(() -> waitingRequests(instance) == 2);

            instance.terminate();
            // out of readiness at once, and still serving: a new refresh reaches the API during the drain delay
            await().atMost(GUARD).until(() -> instance.healthStatus() == 503);
            answers.add(refresh(instance, "repo-4"));
            await().atMost(GUARD).until(() -> API.heldUpdates() == 5);
            // the drain delay is over: the service now waits for what it accepted before it stops anything
            await().atMost(GUARD).until(() -> instance.log().contains("Waiting for HTTP requests to complete"));
            assertTrue(instance.alive());
            assertFalse(answers.stream().anyMatch(CompletableFuture::isDone), "nothing answered before the release");
        }

        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            assertEquals(200, response.statusCode(), response.body());
        }
        assertEquals(143, instance.awaitExit(shutdownGuard()), instance.log());
        assertEquals(2, API.resyncRequests("kubeapps", "repo-0"), "the held update, then one for the two waiting");
        for (String repository : repositories.subList(1, 5)) {
            assertEquals(1, API.resyncRequests("kubeapps", repository), repository);
        }
        assertFalse(instance.log().contains("Timed out waiting for graceful shutdown"), instance.log());
    }

    /**
     * An API that stops answering in the middle of a refresh holds the shutdown no longer than the API timeout
     * allows: the refresh under way and the one waiting in its lane end with their 504, and the process exits before
     * its shutdown timeout runs out.
     */
    @ParameterizedTest
    @EnumSource(Stall.class)
    void exitsWhenTheApiStopsAnswering(Stall stall) throws Exception {
        try (StallingApi stalling = new StallingApi(stall);
                ServiceInstances onStallingApi = new ServiceInstances(stalling::url)
                        .named("GracefulShutdownIT.exitsWhenTheApiStopsAnswering-" + stall)) {
            // a shorter API timeout only makes the test shorter: the shutdown timeout covers eight of them whatever
            // their length (DeployManifestsTest)
            Instance instance = onStallingApi
                    .start(Map.of("QUARKUS_SHUTDOWN_DELAY", "1s", "REFRESH_API_TIMEOUT", "2s"));
            CompletableFuture<HttpResponse<String>> underWay = refresh(instance, "repo-0");
            await().atMost(GUARD).until(() -> stalling.stalledRequests() == 1);
            CompletableFuture<HttpResponse<String>> waiting = refresh(instance, "repo-0");
            await().atMost(GUARD).until(() -> waitingRequests(instance) == 1);

            instance.terminate();

            assertEquals(143, instance.awaitExit(shutdownGuard()), instance.log());
            for (CompletableFuture<HttpResponse<String>> answer : List.of(underWay, waiting)) {
                HttpResponse<String> response = answer.get();
                assertEquals(504, response.statusCode(), response.body());
                assertTrue(response.body().contains("\"kind\":\"Status\""), response.body());
            }
            assertFalse(instance.log().contains("Timed out waiting for graceful shutdown"), instance.log());
        }
    }

    private CompletableFuture<HttpResponse<String>> refresh(Instance instance, String repository) {
        return http.sendAsync(HttpRequest.newBuilder(
                instance.uri("/api/v1/clusters/default/namespaces/kubeapps/apprepositories/" + repository + "/refresh"))
                .header("Authorization", "Bearer some-token").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int waitingRequests(Instance instance) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(instance.uri("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher waiting = Pattern.compile("(?m)^apprepo_refresh_requests_waiting(?:\\{[^}]*})? ([0-9.]+)$")
                .matcher(metrics);
        return waiting.find() ? (int) Double.parseDouble(waiting.group(1)) : -1;
    }

    /**
     * A guard against a process that never exits, not a measure of speed: the pod's grace period, which the
     * shutdown must fit in on a real node, and as much again for a busy test machine.
     */
    static Duration shutdownGuard() throws IOException {
        Deployment deployment = new KubernetesSerialization()
                .unmarshal(Files.readString(Path.of("deploy/kubernetes/deployment.yaml")), Deployment.class);
        long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        return Duration.ofSeconds(2 * grace);
    }
}
