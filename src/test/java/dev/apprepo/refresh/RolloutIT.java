package dev.apprepo.refresh;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.apprepo.refresh.ServiceInstances.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rolling update under steady load: of two instances behind a balancer that, like a Service's endpoints, sends only
 * to instances whose readiness is UP, one gets SIGTERM, exits, and starts again. Every request an instance accepted
 * is answered 200, and every 200 is one resync the API recorded.
 */
class RolloutIT {

    /**
     * The balancer polls readiness every {@link #POLL}, as endpoints follow it. Should it not have seen an instance go
     * DOWN by the end of that instance's drain delay, however slow the machine, the instance refuses what it is sent
     * from then on, before accepting it: an empty 503, or a connection refused once the listener closed. Those are
     * not failures (a balancer sends them elsewhere); any other answer than 200 is.
     */
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int CLIENTS = 4;
    /** A guard against a wait that never ends, not a measure of speed. */
    private static final Duration GUARD = ServiceInstances.HANG_GUARD;

    @RegisterExtension
    static final KubeappsApi API = new KubeappsApi(false);
    @RegisterExtension
    final ServiceInstances instances = new ServiceInstances(API);

    @Test
    void oneInstanceStopsUnderLoadAndNoAcceptedRequestFails() throws Exception {
        for (int client = 0; client < CLIENTS; client++) {
            API.seed("kubeapps", "repo-" + client);
        }
        List<Instance> replicas = instances.start(2, Map.of());
        Instance leaving = replicas.get(0);
        Instance staying = replicas.get(1);

        try (Balancer balancer = new Balancer(replicas)) {
            balancer.startClients(CLIENTS);
            await().atMost(GUARD).until(() -> balancer.answered(leaving) >= 10 && balancer.answered(staying) >= 10);

            leaving.terminate();
            await().atMost(GUARD).until(() -> !balancer.inRotation(leaving));
            assertEquals(143, leaving.awaitExit(GracefulShutdownIT.shutdownGuard()), leaving.log());
            long stayingBefore = balancer.answered(staying);
            await().atMost(GUARD).until(() -> balancer.answered(staying) >= stayingBefore + 20);

            // the new pod of the rollout
            leaving.restart();
            long leavingBefore = balancer.answered(leaving);
            await().atMost(GUARD).until(() -> balancer.answered(leaving) >= leavingBefore + 10);

            balancer.stopClients();
            assertEquals(List.of(), balancer.failures(), "every request an instance accepted is answered 200");
            long answered = balancer.answered(leaving) + balancer.answered(staying);
            long resyncs = 0;
            for (int client = 0; client < CLIENTS; client++) {
                resyncs += API.resyncRequests("kubeapps", "repo-" + client);
            }
            assertEquals(answered, resyncs, "each 200 is one resync, and no resync went unanswered");
            System.out.printf(
                    "Rollout: %d requests answered 200, %d refused by the stopping instance after its drain%n",
                    answered, balancer.refused());
        }
    }

    /** Round robin over the instances whose readiness answered UP at the last poll, as a Service's endpoints do. */
    private static final class Balancer implements AutoCloseable {

        private final List<Instance> instances;
        private final Map<Instance, Boolean> rotation = new ConcurrentHashMap<>();
        private final Map<Instance, AtomicLong> answered = new ConcurrentHashMap<>();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicLong refused = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final List<Future<?>> clients = new ArrayList<>();
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        Balancer(List<Instance> instances) {
            this.instances = instances;
            instances.forEach(instance -> answered.put(instance, new AtomicLong()));
            poll();
            threads.submit(() -> {
                while (running.get()) {
                    poll();
                    sleep(POLL);
                }
            });
        }

        private void poll() {
            instances.forEach(instance -> rotation.put(instance, instance.ready()));
        }

        boolean inRotation(Instance instance) {
            return rotation.get(instance);
        }

        long answered(Instance instance) {
            return answered.get(instance).get();
        }

        long refused() {
            return refused.get();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        void startClients(int count) {
            for (int client = 0; client < count; client++) {
                String repository = "repo-" + client;
                clients.add(threads.submit(() -> {
                    while (running.get()) {
                        send(repository);
                    }
                }));
            }
        }

        private void send(String repository) {
            List<Instance> ready = instances.stream().filter(rotation::get).toList();
            if (ready.isEmpty()) {
                sleep(POLL);
                return;
            }
            Instance instance = ready.get(Math.floorMod(next.getAndIncrement(), ready.size()));
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(instance
                        .uri("/api/v1/clusters/default/namespaces/kubeapps/apprepositories/" + repository + "/refresh"))
                        .header("Authorization", "Bearer some-token").POST(HttpRequest.BodyPublishers.noBody())
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    answered.get(instance).incrementAndGet();
                } else if (response.statusCode() == 503 && response.body().isEmpty()) {
                    // refused by a stopping instance once its drain delay was over: never accepted (the service's
                    // own 503s carry a Status)
                    refused.incrementAndGet();
                } else {
                    failures.add(instance + ": " + response.statusCode() + " " + response.body());
                }
            } catch (ConnectException refused) {
                // the listener closed: the request was never accepted, and a real client would try again
            } catch (IOException e) {
                failures.add(instance + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stopClients() throws Exception {
            running.set(false);
            for (Future<?> client : clients) {
                client.get();
            }
        }

        private static void sleep(Duration pause) {
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            running.set(false);
            threads.shutdownNow();
        }
    }
}
