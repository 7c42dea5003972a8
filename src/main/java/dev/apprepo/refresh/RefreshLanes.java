package dev.apprepo.refresh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which requests share which update, for each key (a repository and a credential): a lane. Plain state with named
 * transitions; no threads and no clock of its own, every transition is told the time.
 * <p>
 * While an update runs, arriving requests join the batch that waits for it, which starts when it ends: every
 * request is answered by an update that started after it arrived, and concurrent requests cost one update per
 * update time instead of one each. A burst (more than three requests waiting when an update ends) is held until
 * the burst interval has passed since the update before it started, and takes every request that arrives until
 * then: each update makes the Kubeapps controller start a sync Job, and one per interval is all a burst needs.
 * Fewer waiting requests are not held, nor is a request that finds no update running, so that chance meetings
 * under load never wait an interval.
 *
 * @param <K> the lane's key
 * @param <R> a request
 */
final class RefreshLanes<K, R> {

    /** This many waiting requests or more, when an update ends, are a burst. */
    static final int BURST = 4;

    /** What the caller must do after a transition. */
    sealed interface Next<R> {
    }

    /** Start an update for these requests now. */
    record Start<R>(List<R> batch) implements Next<R> {
    }

    /** Call {@link #holdEnded} for this lane when the clock the transitions are told reaches {@code nanos}. */
    record HoldUntil<R>(long nanos) implements Next<R> {
    }

    /** Nothing to do: the request waits for an update, or the lane is idle. */
    record Wait<R>() implements Next<R> {
    }

    /** A held batch, started ahead of its time. */
    record Released<K, R>(K key, List<R> batch) {
    }

    /** A lane exists while an update runs or a batch is held; the batch that waits for it, if any, is open. */
    private static final class Lane<R> {

        /** When the running update started, or the one before a held batch. */
        long updateStart;
        List<R> waiting;
        boolean held;
        long heldUntil;
    }

    private final long burstIntervalNanos;
    private final Map<K, Lane<R>> lanes = new HashMap<>();
    private int waitingRequests;

    /** @param burstInterval the least time between the starts of two updates of a burst; zero holds nothing */
    RefreshLanes(Duration burstInterval) {
        this.burstIntervalNanos = burstInterval.toNanos();
    }

    /** A request arrives: it starts an update at once if its lane is idle, else it waits for the next one. */
    synchronized Next<R> join(K key, R request, long now) {
        Lane<R> lane = lanes.get(key);
        if (lane == null) {
            lane = new Lane<>();
            lanes.put(key, lane);
            return start(lane, List.of(request), now);
        }
        if (lane.waiting == null) {
            lane.waiting = new ArrayList<>();
        }
        lane.waiting.add(request);
        waitingRequests++;
        return new Wait<>();
    }

    /** The lane's update ended: the waiting batch starts now, is held as a burst, or the lane goes idle. */
    synchronized Next<R> updateEnded(K key, long now) {
        Lane<R> lane = lanes.get(key);
        if (lane.waiting == null) {
            lanes.remove(key);
            return new Wait<>();
        }
        long due = lane.updateStart + burstIntervalNanos;
        if (lane.waiting.size() >= BURST && now - due < 0) {
            lane.held = true;
            lane.heldUntil = due;
            return new HoldUntil<>(due);
        }
        return startWaiting(lane, now);
    }

    /** A held batch's time has come. */
    synchronized Next<R> holdEnded(K key, long now) {
        Lane<R> lane = lanes.get(key);
        if (lane == null || !lane.held) {
            // released early, when the service stopped
            return new Wait<>();
        }
        if (now - lane.heldUntil < 0) {
            return new HoldUntil<>(lane.heldUntil);
        }
        return startWaiting(lane, now);
    }

    /** Starts every held batch now: when the service stops, a burst is served rather than dropped. */
    synchronized List<Released<K, R>> releaseHeld(long now) {
        List<Released<K, R>> released = new ArrayList<>();
        lanes.forEach((key, lane) -> {
            if (lane.held) {
                released.add(new Released<>(key, startWaiting(lane, now).batch()));
            }
        });
        return released;
    }

    /** Requests waiting for an update to start, over all lanes. */
    synchronized int waitingRequests() {
        return waitingRequests;
    }

    /** Lanes with an update running or a batch held. */
    synchronized int activeLanes() {
        return lanes.size();
    }

    private Start<R> startWaiting(Lane<R> lane, long now) {
        List<R> batch = lane.waiting;
        lane.waiting = null;
        lane.held = false;
        waitingRequests -= batch.size();
        return start(lane, batch, now);
    }

    private static <R> Start<R> start(Lane<R> lane, List<R> batch, long now) {
        lane.updateStart = now;
        return new Start<>(List.copyOf(batch));
    }
}
