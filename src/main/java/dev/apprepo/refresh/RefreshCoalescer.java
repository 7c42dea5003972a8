package dev.apprepo.refresh;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;

import dev.apprepo.refresh.kubernetes.TokenDigest;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;

/**
 * Runs one refresh for all requests that wait on the same repository with the same token.
 * <p>
 * While an update is in flight, arriving requests join the next one: it starts when the current one ends, so
 * every request is answered by an increment committed after it arrived, and concurrent requests cost one update
 * per update time instead of one per request, with no conflicts among them. Requests with different tokens never
 * share an update: each token's RBAC decides for itself.
 * <p>
 * A burst (more than three requests waiting when an update ends, as when a pipeline pushes many charts) is held
 * until the burst interval has passed since the previous update started, and keeps taking requests meanwhile:
 * each update makes the Kubeapps controller start a sync Job, and one Job per interval is all a burst needs.
 * Fewer waiting requests are not held: a few deliveries close together are common (a chart and its provenance
 * file, a push and a tag) and cost two updates anyway, and under heavy load over many repositories such chance
 * meetings would otherwise wait an interval each (rules that also held two or three waiting requests, or four
 * spread over back-to-back updates, took the benchmark's saturation p99 from about 45 ms to between 200 ms and
 * over a second). Nor is a request that finds no update running.
 * <p>
 * The key is read from the kamelet's input headers; the token takes part only as its SHA-256 digest.
 */
public class RefreshCoalescer implements Processor {

    private record Key(String cluster, String namespace, String repository, String tokenDigest) {
    }

    /** The requests served by one update; its first request runs it. */
    private static final class Batch {
        final Exchange leader;
        /** Completed with the start time of the update before, or of none, when the batch may start. */
        final CompletableFuture<Long> turn = new CompletableFuture<>();
        final CompletableFuture<Exchange> result = new CompletableFuture<>();
        int size = 1;

        Batch(Exchange leader) {
            this.leader = leader;
        }
    }

    /** The update in flight for one key, and the batch that waits for it to end, or to be let go. */
    private static final class Lane {
        Batch running;
        Batch waiting;
        long runningSince;
    }

    private static final long NONE = Long.MIN_VALUE;
    private static final int BURST = 4;

    private final String refreshUri;
    private final long burstIntervalNanos;
    private final ConcurrentHashMap<Key, Lane> lanes = new ConcurrentHashMap<>();
    private volatile ProducerTemplate refresh;

    /**
     * @param refreshUri    the endpoint that performs one refresh, for example {@code direct:refresh-apprepository}
     * @param burstInterval the least time between the starts of two updates of a burst; zero holds nothing
     */
    public RefreshCoalescer(String refreshUri, Duration burstInterval) {
        this.refreshUri = refreshUri;
        this.burstIntervalNanos = burstInterval.toNanos();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Key key = keyOf(exchange);
        Batch[] joined = new Batch[1];
        lanes.compute(key, (k, lane) -> {
            Lane current = lane == null ? new Lane() : lane;
            if (current.running == null && current.waiting == null) {
                current.running = new Batch(exchange);
                current.runningSince = System.nanoTime();
                current.running.turn.complete(NONE);
                joined[0] = current.running;
            } else {
                if (current.waiting == null) {
                    current.waiting = new Batch(exchange);
                } else {
                    current.waiting.size++;
                }
                joined[0] = current.waiting;
            }
            return current;
        });
        Batch batch = joined[0];
        if (batch.leader == exchange) {
            // uninterruptible: a leader that gave up its turn would leave its whole batch waiting
            long previousStart = batch.turn.join();
            if (previousStart != NONE) {
                holdBurst(key, batch, previousStart);
            }
            run(key, batch);
        }
        Exchange outcome = await(batch.result);
        if (outcome.getException() != null) {
            exchange.setException(outcome.getException());
        } else {
            exchange.getMessage().setBody(outcome.getMessage().getBody());
        }
    }

    private void run(Key key, Batch batch) {
        Exchange update = null;
        try {
            update = batch.leader.copy();
            template(update).send(refreshUri, update);
        } catch (RuntimeException e) {
            if (update == null) {
                update = batch.leader;
            }
            update.setException(e);
        } finally {
            if (batch.size > 1) {
                RefreshMetrics.coalesced(batch.size - 1);
            }
            // the lane is settled before the batch hears its answer, so that an answered request finds it settled
            try {
                lanes.compute(key, (k, lane) -> {
                    lane.running = null;
                    if (lane.waiting == null) {
                        return null;
                    }
                    // the waiting batch keeps taking requests until its leader starts it
                    lane.waiting.turn.complete(lane.runningSince);
                    return lane;
                });
            } finally {
                batch.result.complete(update);
            }
        }
    }

    /** Lets a waiting batch start: at once, or for a burst once the burst interval has passed. */
    private void holdBurst(Key key, Batch batch, long previousStart) {
        long until = previousStart + burstIntervalNanos;
        long[] hold = new long[1];
        // not interruptible either, for the same reason; an interrupt is kept for later, not spun on
        boolean interrupted = Thread.interrupted();
        do {
            lanes.compute(key, (k, lane) -> {
                hold[0] = batch.size >= BURST ? until - System.nanoTime() : 0;
                if (hold[0] <= 0) {
                    lane.running = batch;
                    lane.waiting = null;
                    lane.runningSince = System.nanoTime();
                }
                return lane;
            });
            if (hold[0] > 0) {
                LockSupport.parkNanos(hold[0]);
                interrupted |= Thread.interrupted();
            }
        } while (hold[0] > 0);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keys with an update in flight or waiting: none once every request is answered. */
    int lanes() {
        return lanes.size();
    }

    /** Requests waiting for the update after the one in flight, for a repository and token. */
    int waiting(String cluster, String namespace, String repository, String token) {
        int[] size = new int[1];
        // under the map's lock for the key, like every change to a lane
        lanes.computeIfPresent(new Key(cluster, namespace, repository, TokenDigest.sha256(token)), (key, lane) -> {
            size[0] = lane.waiting == null ? 0 : lane.waiting.size;
            return lane;
        });
        return size[0];
    }

    private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            // bounded by the refresh itself: every update ends within its API timeouts and attempts
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a refresh batch ended without a result", e.getCause());
        }
    }

    private static Key keyOf(Exchange exchange) {
        var in = exchange.getIn();
        String token = in.getHeader(RefreshHeaders.TOKEN, "", String.class);
        return new Key(in.getHeader(RefreshHeaders.CLUSTER, String.class),
                in.getHeader(RefreshHeaders.NAMESPACE, String.class),
                in.getHeader(RefreshHeaders.REPOSITORY, String.class), TokenDigest.sha256(token));
    }

    private ProducerTemplate template(Exchange exchange) {
        ProducerTemplate template = refresh;
        if (template == null) {
            synchronized (this) {
                if (refresh == null) {
                    refresh = exchange.getContext().createProducerTemplate();
                }
                template = refresh;
            }
        }
        return template;
    }
}
