package dev.apprepo.refresh;

import java.time.Duration;
import java.util.List;

import dev.apprepo.refresh.RefreshLanes.HoldUntil;
import dev.apprepo.refresh.RefreshLanes.Next;
import dev.apprepo.refresh.RefreshLanes.Start;
import dev.apprepo.refresh.RefreshLanes.Wait;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The coalescing rule as a state machine, on a clock the test moves: which requests share which update, and when. */
class RefreshLanesTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

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
}
