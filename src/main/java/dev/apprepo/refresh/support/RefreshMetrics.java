package dev.apprepo.refresh.support;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's metrics. Tags take only bounded values: configured cluster names, sender types, status codes,
 * fixed outcomes. Never a namespace or repository from a request, and never a credential.
 */
public final class RefreshMetrics {

    public static final String UNKNOWN = "unknown";
    public static final String BEARER = "bearer";

    private static final String REQUESTS = "apprepo.refresh.requests";
    private static final String API_CALLS = "apprepo.refresh.api.calls";
    private static final String CONFLICTS = "apprepo.refresh.conflicts";
    private static final String COALESCED = "apprepo.refresh.coalesced";
    private static final String DUPLICATES = "apprepo.refresh.duplicate.deliveries";
    private static final String AUDIT_EVENTS = "apprepo.refresh.audit.events";
    private static final List<String> AUDIT_OUTCOMES = List.of("recorded", "denied", "failed", "dropped");

    private final MeterRegistry registry;
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();

    public RefreshMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Removes the gauges, which read the parts they were registered for: a registry may outlive them. */
    public void close() {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    /**
     * Creates, at zero, the series that the configuration says will be used, so that they exist before their first
     * event and a rate over them starts from zero.
     *
     * @param clusters the configured clusters
     * @param senders  {@code bearer} and the types of the configured receivers
     */
    public void startFromZero(Collection<String> clusters, Collection<String> senders) {
        for (String cluster : clusters) {
            for (String sender : senders) {
                requestCounter(200, cluster, sender);
            }
            for (String operation : List.of("get", "update")) {
                apiCallTimer(operation, cluster, "success");
            }
            conflictCounter(cluster);
        }
        senders.stream().filter(sender -> !BEARER.equals(sender)).forEach(this::duplicateCounter);
        coalescedCounter();
        AUDIT_OUTCOMES.forEach(this::auditEventCounter);
    }

    /** A request answered, by status code, cluster and sender ({@code bearer} or the receiver's type). */
    public void request(int code, String cluster, String sender) {
        requestCounter(code, cluster, sender == null ? UNKNOWN : sender).increment();
    }

    /** One call to a Kubernetes API server. */
    public void apiCall(String operation, String cluster, String outcome, long nanos) {
        apiCallTimer(operation, cluster, outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An update refused with 409 Conflict, which the refresh retries while it has attempts left. */
    public void conflict(String cluster) {
        conflictCounter(cluster).increment();
    }

    /** Requests answered by an update that another request started. */
    public void coalesced(int requests) {
        coalescedCounter().increment(requests);
    }

    /** A verified delivery whose id was seen before: answered without a refresh. */
    public void duplicate(String sender) {
        duplicateCounter(sender).increment();
    }

    /** What became of the audit Event of an update: recorded, denied, failed or dropped. */
    public void auditEvent(String outcome) {
        auditEventCounter(outcome).increment();
    }

    /** How many requests wait for an update of their repository, and how many repositories have one under way. */
    public void coalescing(Supplier<Number> waitingRequests, Supplier<Number> activeUpdates) {
        gauges.add(Gauge.builder("apprepo.refresh.requests.waiting", waitingRequests)
                .description("Requests waiting for an update of their AppRepository to start").register(registry));
        gauges.add(Gauge.builder("apprepo.refresh.updates.active", activeUpdates)
                .description("AppRepositories (per credential) with an update running or held").register(registry));
    }

    /** How many Kubernetes clients are pooled, and how many delivery ids are remembered. */
    public void pooling(Supplier<Number> pooledClients, Supplier<Number> rememberedDeliveries) {
        gauges.add(Gauge.builder("apprepo.refresh.clients.pooled", pooledClients)
                .description("Kubernetes clients kept for reuse, one per cluster and token").register(registry));
        gauges.add(Gauge.builder("apprepo.refresh.deliveries.remembered", rememberedDeliveries)
                .description("Delivery ids remembered against repeated deliveries").register(registry));
    }

    private Counter requestCounter(int code, String cluster, String sender) {
        return Counter.builder(REQUESTS).description("Refresh requests answered, by status code, cluster and sender")
                .tags("code", String.valueOf(code), "cluster", cluster, "sender", sender).register(registry);
    }

    private Timer apiCallTimer(String operation, String cluster, String outcome) {
        return Timer.builder(API_CALLS).description("Kubernetes API calls, by operation, cluster and outcome")
                .tags("operation", operation, "cluster", cluster, "outcome", outcome).register(registry);
    }

    private Counter conflictCounter(String cluster) {
        return Counter.builder(CONFLICTS)
                .description("AppRepository updates refused with 409 Conflict, each retried while attempts remain")
                .tags("cluster", cluster).register(registry);
    }

    private Counter coalescedCounter() {
        return Counter.builder(COALESCED).description("Requests answered by an update that another request started")
                .register(registry);
    }

    private Counter duplicateCounter(String sender) {
        return Counter.builder(DUPLICATES).description("Verified deliveries seen before, answered without a refresh")
                .tags("sender", sender).register(registry);
    }

    private Counter auditEventCounter(String outcome) {
        return Counter.builder(AUDIT_EVENTS)
                .description("Audit Events of updates: recorded, denied (no right to create Events), failed or dropped")
                .tags("outcome", outcome).register(registry);
    }
}
