package dev.apprepo.refresh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.apprepo.refresh.support.RefreshHeaders;
import dev.apprepo.refresh.support.RefreshMetrics;
import dev.apprepo.refresh.support.ServedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coalescer in Camel, with a refresh that the test holds open: which requests share an update, which update
 * answers them, and on which thread a held burst runs. The rule itself is {@link RefreshLanesTest}'s.
 */
class RefreshCoalescerTest extends CamelTestSupport {

    private static final Duration BURST_INTERVAL = Duration.ofMillis(200);

    /**
     * A coalescer, the registry of its metrics, whose gauges tell the test what waits, and the clock it decides
     * by, which the test moves.
     */
    private record Coalescing(RefreshCoalescer coalescer, SimpleMeterRegistry meters, String uri, AtomicLong clock) {

        static Coalescing of(Duration burstInterval, String uri) {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            AtomicLong clock = new AtomicLong();
            return new Coalescing(new RefreshCoalescer("direct:update", burstInterval, new RefreshMetrics(meters),
                    clock::get), meters, uri, clock);
        }

        double gauge(String name) {
            return meters.get(name).gauge().value();
        }

        void awaitWaiting(int count) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> gauge("apprepo.refresh.requests.waiting") >= count);
        }
    }

    private final Coalescing plain = Coalescing.of(Duration.ZERO, "direct:request");
    private final Coalescing burst = Coalescing.of(BURST_INTERVAL, "direct:burst-request");
    /** Would hold a burst for longer than any test waits. */
    private final Coalescing patient = Coalescing.of(Duration.ofHours(1), "direct:patient-request");
    private final ConcurrentLinkedQueue<String> updateThreads = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<List<?>> served = new ConcurrentLinkedQueue<>();
    private final AtomicInteger updates = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(0);
    private final CountDownLatch firstUpdateStarted = new CountDownLatch(1);
    private volatile Throwable failure;

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {

            @Override
            public void configure() {
                // failures are the callers' to handle, as in the application's routes
                errorHandler(noErrorHandler());
                for (Coalescing each : List.of(plain, burst, patient)) {
                    each.coalescer().setCamelContext(getContext());
                    from(each.uri()).process(each.coalescer());
                }
                from("direct:update").process(exchange -> {
                    updateThreads.add(Thread.currentThread().getName());
                    served.add(exchange.getIn().getHeader(RefreshHeaders.SERVED, List.class));
                    int update = updates.incrementAndGet();
                    firstUpdateStarted.countDown();
                    assertTrue(release.await(30, TimeUnit.SECONDS), "the test never released the update");
                    if (failure instanceof Error error && update == 1) {
                        throw error;
                    }
                    if (failure instanceof RuntimeException exception && update == 1) {
                        throw exception;
                    }
                    exchange.getMessage().setBody("update " + update);
                });
            }
        };
    }

    private CompletableFuture<Exchange> request(Coalescing coalescing, String repository, String token) {
        return template.asyncSend(coalescing.uri(), exchange -> {
            exchange.getIn().setHeader(RefreshHeaders.CLUSTER, "default");
            exchange.getIn().setHeader(RefreshHeaders.NAMESPACE, "kubeapps");
            exchange.getIn().setHeader(RefreshHeaders.REPOSITORY, repository);
            exchange.getIn().setHeader(RefreshHeaders.TOKEN, token);
            exchange.getIn().setHeader(RefreshHeaders.SENDER, "github");
            exchange.getIn().setHeader(RefreshHeaders.DELIVERY_ID, "d-" + System.nanoTime());
        });
    }

    private static Object body(CompletableFuture<Exchange> response) throws Exception {
        return response.get(30, TimeUnit.SECONDS).getMessage().getBody();
    }

    @Test
    void requestsArrivingDuringAnUpdateShareTheNextOne() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request(plain, "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> later = List.of(request(plain, "repo", "token"),
                request(plain, "repo", "token"), request(plain, "repo", "token"));
        plain.awaitWaiting(3);

        release.countDown();

        assertEquals("update 1", body(first));
        for (CompletableFuture<Exchange> response : later) {
            Exchange answered = response.get(30, TimeUnit.SECONDS);
            assertEquals("update 2", answered.getMessage().getBody(),
                    "a request that arrived during update 1 must be answered by an update that started after it");
            assertEquals(3, answered.getMessage().getHeader(RefreshHeaders.SERVED_COUNT));
        }
        assertEquals(2, updates.get());
        assertEquals(List.of(1, 3), served.stream().map(List::size).toList(), "an update names whom it serves");
        assertTrue(served.stream().flatMap(List::stream)
                .allMatch(request -> ((ServedRequest) request).deliveryId().startsWith("d-")));
    }

    @Test
    void differentTokensAndRepositoriesNeverShare() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request(plain, "repo", "token-a");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        CompletableFuture<Exchange> otherToken = request(plain, "repo", "token-b");
        CompletableFuture<Exchange> otherRepository = request(plain, "other", "token-a");
        await().atMost(Duration.ofSeconds(30)).until(() -> updates.get() == 3);
        release.countDown();

        for (CompletableFuture<Exchange> response : List.of(first, otherToken, otherRepository)) {
            assertFalse(response.get(30, TimeUnit.SECONDS).isFailed());
        }
        assertEquals(3, updates.get());
    }

    @Test
    void aFailedUpdateFailsOnlyTheRequestsItServedAndTheNextOneStillRuns() throws Exception {
        release = new CountDownLatch(1);
        failure = new IllegalStateException("API down");
        CompletableFuture<Exchange> first = request(plain, "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> later = List.of(request(plain, "repo", "token"),
                request(plain, "repo", "token"));
        plain.awaitWaiting(2);

        release.countDown();

        assertSame(failure, first.get(30, TimeUnit.SECONDS).getException());
        for (CompletableFuture<Exchange> response : later) {
            assertEquals("update 2", body(response), "the batch that waited ran its own update");
        }
        assertEquals("update 3", body(request(plain, "repo", "token")));
        assertEquals(0, plain.gauge("apprepo.refresh.requests.waiting"));
    }

    @Test
    void aBurstStartsOneIntervalAfterThePreviousOnATimerAndTakesRequestsUntilThen() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request(burst, "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(request(burst, "repo", "token"));
        }
        burst.awaitWaiting(4);

        // update 1 ends well within the interval on the coalescer's clock, however long the machine took
        burst.clock().set(BURST_INTERVAL.toNanos() / 2);
        release.countDown();
        assertEquals("update 1", body(first));
        // update 1 is over and the burst is held: a request arriving now still joins it
        held.add(request(burst, "repo", "token"));
        burst.awaitWaiting(5);
        assertEquals(1, updates.get(), "a burst is held until the interval has passed");

        burst.clock().set(BURST_INTERVAL.toNanos());
        for (CompletableFuture<Exchange> response : held) {
            assertEquals("update 2", body(response));
        }
        assertEquals(2, updates.get());
        assertTrue(List.copyOf(updateThreads).get(1).contains("RefreshUpdate"),
                "a held burst runs on the coalescer's thread, not on a parked request thread: " + updateThreads);
        assertEquals(0, burst.gauge("apprepo.refresh.updates.active"), "a lane outlived its requests");
    }

    @Test
    void anErrorInAnUpdateFailsItsBatchAndFreesTheLane() throws Exception {
        release = new CountDownLatch(1);
        failure = new StackOverflowError("deep");
        CompletableFuture<Exchange> first = request(plain, "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));

        release.countDown();

        // an exchange holds an Error wrapped
        assertSame(failure, first.get(30, TimeUnit.SECONDS).getException().getCause());
        assertEquals(0, plain.gauge("apprepo.refresh.updates.active"), "the lane must not stay taken");
        assertEquals("update 2", body(request(plain, "repo", "token")));
    }

    @Test
    void neitherThreeWaitingRequestsNorOneAfterTheUpdatesIsHeld() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request(patient, "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> few = List.of(request(patient, "repo", "token"),
                request(patient, "repo", "token"), request(patient, "repo", "token"));
        patient.awaitWaiting(3);

        release.countDown();

        // a held request would wait an hour: these time out instead
        assertEquals("update 1", body(first));
        for (CompletableFuture<Exchange> response : few) {
            assertEquals("update 2", body(response));
        }
        assertEquals("update 3", body(request(patient, "repo", "token")));
        assertEquals(0, patient.gauge("apprepo.refresh.updates.active"), "a lane outlived its requests");
    }

    @Test
    void stoppingTheCoalescerStartsAHeldBurstInsteadOfDroppingIt() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request(patient, "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(request(patient, "repo", "token"));
        }
        patient.awaitWaiting(4);
        release.countDown();
        assertEquals("update 1", body(first));

        ServiceHelper.stopService(patient.coalescer());

        for (CompletableFuture<Exchange> response : held) {
            assertEquals("update 2", body(response), "a burst held for an hour is served when the service stops");
        }
    }
}
