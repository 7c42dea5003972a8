package dev.apprepo.refresh;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Metrics;

/**
 * The service's metrics, in Micrometer's global registry (Prometheus in the application, nothing in plain Camel).
 * Tags take only bounded values: configured cluster names, sender types, status codes. Never a namespace or
 * repository from a request, and never a credential.
 */
public final class RefreshMetrics {

    public static final String UNKNOWN = "unknown";

    private RefreshMetrics() {
    }

    /** A request answered, by status code, cluster and sender ({@code bearer} or the receiver's type). */
    public static void request(int code, String cluster, String sender) {
        Metrics.counter("apprepo.refresh.requests", "code", String.valueOf(code), "cluster", cluster,
                "sender", sender == null ? UNKNOWN : sender).increment();
    }

    /** One call to a Kubernetes API server. */
    public static void apiCall(String operation, String cluster, String outcome, long nanos) {
        Metrics.timer("apprepo.refresh.api.calls", "operation", operation, "cluster", cluster, "outcome", outcome)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An update refused with 409 Conflict, which the refresh retries while it has attempts left. */
    public static void conflict(String cluster) {
        Metrics.counter("apprepo.refresh.conflicts", "cluster", cluster).increment();
    }

    /** Requests answered by an update that another request started. */
    public static void coalesced(int requests) {
        Metrics.counter("apprepo.refresh.coalesced").increment(requests);
    }

    /** A verified delivery whose id was seen before: answered without a refresh. */
    public static void duplicate(String sender) {
        Metrics.counter("apprepo.refresh.duplicate.deliveries", "sender", sender).increment();
    }

    /** What became of the audit Event of a refresh: recorded, denied, failed or dropped. */
    public static void auditEvent(String outcome) {
        Metrics.counter("apprepo.refresh.audit.events", "outcome", outcome).increment();
    }
}
