package dev.apprepo.refresh;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.apprepo.refresh.RefreshLanes.HoldUntil;
import dev.apprepo.refresh.RefreshLanes.Next;
import dev.apprepo.refresh.RefreshLanes.Released;
import dev.apprepo.refresh.RefreshLanes.Start;
import dev.apprepo.refresh.support.Digests;
import dev.apprepo.refresh.support.RefreshHeaders;
import dev.apprepo.refresh.support.RefreshMetrics;
import dev.apprepo.refresh.support.ServedRequest;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Runs one refresh for all requests that wait on the same repository with the same token, as {@link RefreshLanes}
 * decides; requests with different tokens never share an update, so each token's RBAC decides for itself. The
 * token takes part in the key only as its SHA-256 digest.
 * <p>
 * A request that starts an update runs it on its own thread; a batch that waited, or was held as a burst, runs on
 * the coalescer's own threads. Every request of a batch is answered through its callback once the update has run,
 * and the coalescer parks no thread for them. Camel 4.14's platform-http consumer still holds a worker thread per
 * request until its route ends, which is why the service keeps a large worker pool (quarkus.thread-pool.max-threads).
 */
public class RefreshCoalescer extends AsyncProcessorSupport implements CamelContextAware {

    private record Key(String cluster, String namespace, String repository, String tokenDigest) {
    }

    private record Waiting(Exchange exchange, AsyncCallback callback) {
    }

    private final String refreshUri;
    private final RefreshLanes<Key, Waiting> lanes;
    private final RefreshMetrics metrics;
    private final LongSupplier ticker;
    private CamelContext camelContext;
    private AsyncProducer refresh;
    private ExecutorService updates;
    private ScheduledExecutorService holds;

    /**
     * @param refreshUri    the endpoint that performs one refresh, for example {@code direct:refresh-apprepository}
     * @param burstInterval the least time between the starts of two updates of a burst; zero holds nothing
     */
    public RefreshCoalescer(String refreshUri, Duration burstInterval, RefreshMetrics metrics) {
        this(refreshUri, burstInterval, metrics, System::nanoTime);
    }

    /** @param ticker nanoseconds on a monotonic clock, as {@link System#nanoTime()} counts them */
    RefreshCoalescer(String refreshUri, Duration burstInterval, RefreshMetrics metrics, LongSupplier ticker) {
        this.refreshUri = refreshUri;
        this.lanes = new RefreshLanes<>(burstInterval);
        this.metrics = metrics;
        this.ticker = ticker;
        metrics.coalescing(lanes::waitingRequests, lanes::activeLanes);
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Key key = keyOf(exchange);
        if (lanes.join(key, new Waiting(exchange, callback), ticker.getAsLong()) instanceof Start<Waiting> start) {
            update(key, start.batch());
        }
        // answered once its update has run: on this thread when it ran the update itself
        return false;
    }

    /**
     * Runs one update for the batch, on this thread, and answers the batch whatever it ended with. Synchronously:
     * an Error thrown in the update (a StackOverflowError, an OutOfMemoryError in a burst), which Camel's routing
     * does not catch, comes back here too, and still answers the batch and frees the lane.
     */
    private void update(Key key, List<Waiting> batch) {
        Exchange update = batch.get(0).exchange();
        Throwable failure;
        try {
            update = update.copy();
            update.getIn().setHeader(RefreshHeaders.SERVED,
                    batch.stream().map(waiting -> ServedRequest.from(waiting.exchange().getIn())).toList());
            refresh.process(update);
            failure = update.getException();
        } catch (Throwable thrown) {
            failure = thrown;
        }
        ended(key, batch, failure, failure == null ? update.getMessage() : null);
    }

    /** @param result the update's outcome: the AppRepository and the deliveries it found recorded already */
    private void ended(Key key, List<Waiting> batch, Throwable failure, Message result) {
        try {
            // the lane is settled before anyone hears the answer: a request sent after an answer starts a new update
            next(key, lanes.updateEnded(key, ticker.getAsLong()));
        } finally {
            if (batch.size() > 1) {
                metrics.coalesced(batch.size() - 1);
            }
            for (Waiting waiting : batch) {
                Message answer = waiting.exchange().getMessage();
                if (failure != null) {
                    waiting.exchange().setException(failure);
                } else {
                    answer.setBody(result.getBody());
                    answer.setHeader(RefreshHeaders.DUPLICATES, result.getHeader(RefreshHeaders.DUPLICATES));
                }
                answer.setHeader(RefreshHeaders.SERVED_COUNT, batch.size());
                waiting.callback().done(false);
            }
        }
    }

    private void next(Key key, Next<Waiting> next) {
        if (next instanceof Start<Waiting> start) {
            try {
                updates.execute(() -> update(key, start.batch()));
            } catch (RejectedExecutionException | OutOfMemoryError noThread) {
                // while the coalescer stops, or when no thread can be had, a batch that waited is still served
                update(key, start.batch());
            }
        } else if (next instanceof HoldUntil<Waiting> hold) {
            try {
                holds.schedule(() -> next(key, lanes.holdEnded(key, ticker.getAsLong())),
                        hold.nanos() - ticker.getAsLong(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                // held after the coalescer began to stop: its time has come
                next(key, lanes.holdEnded(key, hold.nanos()));
            }
        }
    }

    private static Key keyOf(Exchange exchange) {
        Message in = exchange.getIn();
        return new Key(in.getHeader(RefreshHeaders.CLUSTER, String.class),
                in.getHeader(RefreshHeaders.NAMESPACE, String.class),
                in.getHeader(RefreshHeaders.REPOSITORY, String.class),
                Digests.sha256Hex(in.getHeader(RefreshHeaders.TOKEN, "", String.class)));
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    protected void doStart() throws Exception {
        refresh = camelContext.getEndpoint(refreshUri).createAsyncProducer();
        ServiceHelper.startService(refresh);
        updates = camelContext.getExecutorServiceManager().newCachedThreadPool(this, "RefreshUpdate");
        holds = camelContext.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "RefreshBurstHold");
    }

    @Override
    protected void doStop() {
        // held bursts start now rather than never; then the updates under way finish
        if (holds != null) {
            holds.shutdownNow();
        }
        for (Released<Key, Waiting> released : lanes.releaseHeld(ticker.getAsLong())) {
            next(released.key(), new Start<>(released.batch()));
        }
        if (updates != null) {
            camelContext.getExecutorServiceManager().shutdownGraceful(updates);
        }
        ServiceHelper.stopService(refresh);
    }
}
