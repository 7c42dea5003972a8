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
 * update time instead of one each.
 * <p>
 * A burst is held: each update makes the Kubeapps controller start a sync Job, and one per burst interval is all a
 * burst needs. Updates that follow one another without the lane going idle are a run; a run's intervals start with
 * its first update and with the first update that starts an interval or more after the current one began. When an
 * update ends and the requests its interval has served, with those waiting, are more than four, the waiting batch
 * is held until the interval ends, and takes every request that arrives until then. Counting the whole interval,
 * not only the requests waiting when one update ends, holds a burst whose arrivals are spread thinly enough that
 * each update finds only a few waiting; measuring from the interval's first update, not from the update before,
 * keeps such a run from pushing the hold back one update at a time. A request that finds the lane idle starts an
 * update at once, and so do up to three that waited on it: a pair or a few concurrent requests, chance meetings
 * under load, never wait an interval. When the service stops, held batches start at once.
 *
 * @param <K> the lane's key
 * @param <R> a request
 */
final class RefreshLanes<K, R> {

    /** This many requests or more in one interval of a run, served and waiting, are a burst. */
    static final int BURST = 5;

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

        /** When the current interval of the lane's run began: the start of an update. */
        long intervalStart;
        /** Requests served by the updates started in the current interval. */
        int served;
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
            lane.intervalStart = now;
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
        long due = lane.intervalStart + burstIntervalNanos;
        if (lane.served + lane.waiting.size() >= BURST && now - due < 0) {
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

    private Start<R> start(Lane<R> lane, List<R> batch, long now) {
        if (now - (lane.intervalStart + burstIntervalNanos) >= 0) {
            lane.intervalStart = now;
            lane.served = 0;
        }
        lane.served += batch.size();
        return new Start<>(List.copyOf(batch));
    }
}
