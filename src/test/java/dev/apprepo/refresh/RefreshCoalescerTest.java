package dev.apprepo.refresh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coalescing rule on its own, with a refresh that the test holds open: which requests share an update and
 * which update answers them.
 */
class RefreshCoalescerTest extends CamelTestSupport {

    private static final Duration BURST_INTERVAL = Duration.ofSeconds(3);

    private final RefreshCoalescer coalescer = new RefreshCoalescer("direct:update", Duration.ZERO);
    private final RefreshCoalescer burstCoalescer = new RefreshCoalescer("direct:update", BURST_INTERVAL);
    /** Would hold a burst for longer than any test waits. */
    private final RefreshCoalescer patientCoalescer = new RefreshCoalescer("direct:update", Duration.ofHours(1));
    private final ConcurrentLinkedQueue<Long> updateStarts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger updates = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(0);
    private final CountDownLatch firstUpdateStarted = new CountDownLatch(1);
    private volatile RuntimeException failure;

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // failures are the callers' to handle, as in the application's routes
                errorHandler(noErrorHandler());
                from("direct:request").process(coalescer);
                from("direct:burst-request").process(burstCoalescer);
                from("direct:patient-request").process(patientCoalescer);
                from("direct:update").process(exchange -> {
                    updateStarts.add(System.nanoTime());
                    int update = updates.incrementAndGet();
                    firstUpdateStarted.countDown();
                    assertTrue(release.await(30, TimeUnit.SECONDS), "the test never released the update");
                    if (failure != null) {
                        throw failure;
                    }
                    exchange.getMessage().setBody("update " + update);
                });
            }
        };
    }

    private CompletableFuture<Exchange> request(String repository, String token) {
        return request("direct:request", repository, token);
    }

    private CompletableFuture<Exchange> request(String uri, String repository, String token) {
        return template.asyncSend(uri, exchange -> {
            exchange.getIn().setHeader(RefreshHeaders.CLUSTER, "default");
            exchange.getIn().setHeader(RefreshHeaders.NAMESPACE, "kubeapps");
            exchange.getIn().setHeader(RefreshHeaders.REPOSITORY, repository);
            exchange.getIn().setHeader(RefreshHeaders.TOKEN, token);
        });
    }

    private void awaitWaiting(String repository, String token, int count) {
        awaitWaiting(coalescer, repository, token, count);
    }

    private static void awaitWaiting(RefreshCoalescer coalescer, String repository, String token, int count) {
        awaitCondition(() -> coalescer.waiting("default", "kubeapps", repository, token) >= count,
                "requests never joined the waiting batch");
    }

    /** Polls a condition the test cannot be told of; the deadline only keeps a broken coalescer from hanging. */
    private static void awaitCondition(java.util.function.BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void requestsArrivingDuringAnUpdateShareTheNextOne() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request("repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> later = List.of(request("repo", "token"), request("repo", "token"),
                request("repo", "token"));
        awaitWaiting("repo", "token", 3);

        release.countDown();

        assertEquals("update 1", first.get(30, TimeUnit.SECONDS).getMessage().getBody());
        for (CompletableFuture<Exchange> response : later) {
            assertEquals("update 2", response.get(30, TimeUnit.SECONDS).getMessage().getBody(),
                    "a request that arrived during update 1 must be answered by an update that started after it");
        }
        assertEquals(2, updates.get());
    }

    @Test
    void differentTokensAndRepositoriesNeverShare() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request("repo", "token-a");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        CompletableFuture<Exchange> otherToken = request("repo", "token-b");
        CompletableFuture<Exchange> otherRepository = request("other", "token-a");
        awaitCondition(() -> updates.get() == 3, "independent requests must not wait for each other");
        release.countDown();

        for (CompletableFuture<Exchange> response : List.of(first, otherToken, otherRepository)) {
            assertFalse(response.get(30, TimeUnit.SECONDS).isFailed());
        }
        assertEquals(3, updates.get());
    }

    @Test
    void aFailedUpdateFailsEveryRequestItServedAndTheNextOneStillRuns() throws Exception {
        release = new CountDownLatch(1);
        failure = new IllegalStateException("API down");
        CompletableFuture<Exchange> first = request("repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));

        release.countDown();

        assertSame(failure, first.get(30, TimeUnit.SECONDS).getException());
        failure = null;
        assertEquals("update 2", request("repo", "token").get(30, TimeUnit.SECONDS).getMessage().getBody());
        assertEquals(0, coalescer.waiting("default", "kubeapps", "repo", "token"));
    }

    @Test
    void aBurstStartsItsNextUpdateOneIntervalAfterThePreviousAndTakesRequestsUntilThen() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request("direct:burst-request", "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> burst = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            burst.add(request("direct:burst-request", "repo", "token"));
        }
        awaitWaiting(burstCoalescer, "repo", "token", 4);

        release.countDown();
        assertEquals("update 1", first.get(30, TimeUnit.SECONDS).getMessage().getBody());
        // update 1 is over and the burst is held: a request arriving now still joins it
        burst.add(request("direct:burst-request", "repo", "token"));
        awaitWaiting(burstCoalescer, "repo", "token", 5);

        for (CompletableFuture<Exchange> response : burst) {
            assertEquals("update 2", response.get(30, TimeUnit.SECONDS).getMessage().getBody());
        }
        assertEquals(2, updates.get());
        List<Long> starts = List.copyOf(updateStarts);
        // the interval counts from before the update's route is entered: the slack covers that step
        long gapMillis = (starts.get(1) - starts.get(0)) / 1_000_000;
        assertTrue(gapMillis >= BURST_INTERVAL.toMillis() - 100, "update 2 started " + gapMillis + " ms after update 1");
        assertEquals(0, burstCoalescer.lanes(), "a lane outlived its requests");
    }

    @Test
    void neitherThreeWaitingRequestsNorOneAfterTheUpdatesIsHeld() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Exchange> first = request("direct:patient-request", "repo", "token");
        assertTrue(firstUpdateStarted.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<Exchange>> few = List.of(request("direct:patient-request", "repo", "token"),
                request("direct:patient-request", "repo", "token"), request("direct:patient-request", "repo", "token"));
        awaitWaiting(patientCoalescer, "repo", "token", 3);

        release.countDown();

        // a held request would wait an hour: these time out instead
        assertEquals("update 1", first.get(30, TimeUnit.SECONDS).getMessage().getBody());
        for (CompletableFuture<Exchange> response : few) {
            assertEquals("update 2", response.get(30, TimeUnit.SECONDS).getMessage().getBody());
        }
        assertEquals("update 3", request("direct:patient-request", "repo", "token").get(30, TimeUnit.SECONDS)
                .getMessage().getBody());
        assertEquals(0, patientCoalescer.lanes(), "a lane outlived its requests");
    }
}
