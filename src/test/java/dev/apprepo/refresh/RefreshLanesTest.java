package dev.apprepo.refresh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import dev.apprepo.refresh.RefreshLanes.HoldUntil;
import dev.apprepo.refresh.RefreshLanes.Next;
import dev.apprepo.refresh.RefreshLanes.Start;
import dev.apprepo.refresh.RefreshLanes.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coalescing rule as a state machine, on a clock the test moves: which requests share which update, and when. */
class RefreshLanesTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long MILLI = Duration.ofMillis(1).toNanos();

    private final RefreshLanes<String, String> lanes = new RefreshLanes<>(Duration.ofSeconds(1));
    // nanoTime may be negative and wrap: deadlines are compared by difference
    private long now = Long.MAX_VALUE - SECOND / 2;

    private Next<String> join(String key, String request) {
        return lanes.join(key, request, now);
    }

    private static Start<String> start(String... requests) {
        return new Start<>(List.of(requests));
    }

    @Test
    void aRequestOnAnIdleRepositoryStartsAnUpdateAtOnce() {
        assertEquals(start("a"), join("repo", "a"));
        assertEquals(0, lanes.waitingRequests());
        assertEquals(1, lanes.activeLanes());
    }

    @Test
    void requestsArrivingDuringAnUpdateShareTheNextOne() {
        join("repo", "a");
        assertEquals(new Wait<>(), join("repo", "b"));
        assertEquals(new Wait<>(), join("repo", "c"));
        assertEquals(2, lanes.waitingRequests());

        now += SECOND / 10;
        assertEquals(start("b", "c"), lanes.updateEnded("repo", now));
        assertEquals(0, lanes.waitingRequests());

        assertEquals(new Wait<>(), lanes.updateEnded("repo", now));
        assertEquals(0, lanes.activeLanes(), "a lane outlives no update");
        assertEquals(start("d"), join("repo", "d"));
    }

    @Test
    void differentKeysNeverShare() {
        assertEquals(start("a"), join("repo/token-a", "a"));
        assertEquals(start("b"), join("repo/token-b", "b"));
        assertEquals(start("c"), join("other/token-a", "c"));
        assertEquals(3, lanes.activeLanes());
    }

    @Test
    void aBurstStartsOneIntervalAfterTheUpdateBeforeAndTakesRequestsUntilThen() {
        long firstStart = now;
        join("repo", "a");
        for (String request : List.of("b", "c", "d", "e")) {
            join("repo", request);
        }
        now += SECOND / 10;

        assertEquals(new HoldUntil<>(firstStart + SECOND), lanes.updateEnded("repo", now));
        assertEquals(new Wait<>(), join("repo", "f"), "a request arriving during the hold joins the held batch");
        now = firstStart + SECOND - 1;
        assertEquals(new HoldUntil<>(firstStart + SECOND), lanes.holdEnded("repo", now), "not due yet");

        now = firstStart + SECOND;
        assertEquals(start("b", "c", "d", "e", "f"), lanes.holdEnded("repo", now));
        assertEquals(1, lanes.activeLanes());
    }

    @Test
    void aBurstSpreadOverBackToBackUpdatesIsHeldFromTheFirstOnesStart() {
        long firstStart = now;
        join("repo", "a");
        join("repo", "b");
        join("repo", "c");
        now += 5 * MILLI;
        assertEquals(start("b", "c"), lanes.updateEnded("repo", now), "three requests are no burst");
        join("repo", "d");
        join("repo", "e");
        now += 5 * MILLI;

        assertEquals(new HoldUntil<>(firstStart + SECOND), lanes.updateEnded("repo", now),
                "five in one interval are, however few waited on each update");
    }

    @Test
    void aHeldBatchStartsTheNextInterval() {
        join("repo", "a");
        for (String request : List.of("b", "c", "d", "e")) {
            join("repo", request);
        }
        now += SECOND / 10;
        long due = ((HoldUntil<String>) lanes.updateEnded("repo", now)).nanos();
        now = due;
        lanes.holdEnded("repo", now);
        join("repo", "f");
        now += 5 * MILLI;

        assertEquals(new HoldUntil<>(due + SECOND), lanes.updateEnded("repo", now),
                "one request after a held batch of four is still the burst");
    }

    @Test
    void threeWaitingRequestsAreNotHeld() {
        join("repo", "a");
        join("repo", "b");
        join("repo", "c");
        join("repo", "d");
        now += SECOND / 10;

        assertEquals(start("b", "c", "d"), lanes.updateEnded("repo", now));
    }

    @Test
    void aBurstAfterAnUpdateLongerThanTheIntervalStartsAtOnce() {
        join("repo", "a");
        for (String request : List.of("b", "c", "d", "e")) {
            join("repo", request);
        }
        now += 2 * SECOND;

        assertEquals(start("b", "c", "d", "e"), lanes.updateEnded("repo", now));
    }

    @Test
    void aZeroIntervalHoldsNothing() {
        RefreshLanes<String, String> eager = new RefreshLanes<>(Duration.ZERO);
        eager.join("repo", "a", now);
        for (String request : List.of("b", "c", "d", "e")) {
            eager.join("repo", request, now);
        }

        assertEquals(start("b", "c", "d", "e"), eager.updateEnded("repo", now));
    }

    /** One lane over time: its arrivals, how long each update takes, and what the rule may cost at most. */
    record Traffic(String name, List<Long> arrivals, long updateNanos, int maxUpdates, long maxWaitNanos) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Traffic> traffic() {
        return Stream.of(
                new Traffic("burst of 1000 spread evenly over 1.5 s, 8 ms updates", every(1500_000, 1000),
                        8 * MILLI, 3, SECOND),
                new Traffic("burst of 1000 spread evenly over 2 s, 8 ms updates", every(2 * MILLI, 1000),
                        8 * MILLI, 3, SECOND),
                new Traffic("burst of 1000 spread at random over 1.5 s, 8 ms updates", uniform(1500 * MILLI, 1000),
                        8 * MILLI, 3, SECOND),
                new Traffic("burst of 1000 spread at random over 2 s, 8 ms updates", uniform(2 * SECOND, 1000),
                        8 * MILLI, 3, SECOND),
                new Traffic("burst of 1000 spread evenly over 1.5 s, 4 ms updates (two wait on each)",
                        every(1500_000, 1000), 4 * MILLI, 4, SECOND),
                new Traffic("burst of 1000 spread evenly over 2 s, 4 ms updates (one or two wait on each)",
                        every(2 * MILLI, 1000), 4 * MILLI, 4, SECOND),
                new Traffic("steady light traffic, one request every 50 ms", every(50 * MILLI, 40), 8 * MILLI, 40,
                        0),
                new Traffic("steady traffic, one request every 10 ms on 8 ms updates", every(10 * MILLI, 100),
                        8 * MILLI, 100, 0),
                new Traffic("a concurrent pair every 50 ms", pairs(50 * MILLI, 20), 8 * MILLI, 40, 8 * MILLI),
                new Traffic("four at once", List.of(0L, 0L, 0L, 0L), 8 * MILLI, 2, 8 * MILLI));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traffic")
    void updatesAndWaits(Traffic traffic) {
        List<List<Long>> batches = simulate(traffic.arrivals(), traffic.updateNanos());

        long longestWait = 0;
        int answered = 0;
        for (List<Long> batch : batches) {
            long started = batch.get(batch.size() - 1);
            for (long arrival : batch.subList(0, batch.size() - 1)) {
                assertTrue(arrival <= started, "answered by an update that started before the request arrived");
                longestWait = Math.max(longestWait, started - arrival);
                answered++;
            }
        }
        assertEquals(traffic.arrivals().size(), answered, "every request answered once");
        assertTrue(batches.size() <= traffic.maxUpdates(), batches.size() + " updates");
        assertTrue(longestWait <= traffic.maxWaitNanos(), "a request waited " + longestWait / MILLI + " ms");
    }

    /**
     * Feeds one lane, on the test's clock, and runs each update for {@code updateNanos}; an arrival at the same
     * instant as an update's end arrives first. Returns each update's batch of arrival times, then its start.
     */
    private static List<List<Long>> simulate(List<Long> arrivals, long updateNanos) {
        RefreshLanes<String, Long> lane = new RefreshLanes<>(Duration.ofSeconds(1));
        List<List<Long>> batches = new ArrayList<>();
        long endsAt = Long.MAX_VALUE;
        long heldUntil = Long.MAX_VALUE;
        int next = 0;
        while (next < arrivals.size() || endsAt != Long.MAX_VALUE || heldUntil != Long.MAX_VALUE) {
            long arrival = next < arrivals.size() ? arrivals.get(next) : Long.MAX_VALUE;
            long time = Math.min(arrival, Math.min(endsAt, heldUntil));
            Next<Long> step;
            if (arrival == time) {
                next++;
                step = lane.join("repo", arrival, time);
            } else if (endsAt == time) {
                endsAt = Long.MAX_VALUE;
                step = lane.updateEnded("repo", time);
            } else {
                heldUntil = Long.MAX_VALUE;
                step = lane.holdEnded("repo", time);
            }
            if (step instanceof Start<Long> started) {
                List<Long> batch = new ArrayList<>(started.batch());
                batch.add(time);
                batches.add(batch);
                endsAt = time + updateNanos;
            } else if (step instanceof HoldUntil<Long> hold) {
                heldUntil = hold.nanos();
            }
        }
        return batches;
    }

    private static List<Long> every(long gapNanos, int count) {
        return LongStream.range(0, count).map(i -> i * gapNanos).boxed().toList();
    }

    private static List<Long> pairs(long gapNanos, int count) {
        return LongStream.range(0, 2L * count).map(i -> i / 2 * gapNanos).boxed().toList();
    }

    /** At random times over the spread, as many concurrent senders would arrive; the same every run. */
    private static List<Long> uniform(long spreadNanos, int count) {
        Random random = new Random(12);
        return LongStream.range(0, count).map(i -> (long) (random.nextDouble() * spreadNanos)).sorted().boxed()
                .toList();
    }
}
