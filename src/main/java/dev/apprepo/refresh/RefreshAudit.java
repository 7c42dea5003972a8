package dev.apprepo.refresh;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.kubernetes.KubernetesClientPool;
import dev.apprepo.refresh.support.RefreshHeaders;
import dev.apprepo.refresh.support.RefreshMetrics;
import dev.apprepo.refresh.support.ServedRequest;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each committed update as one Kubernetes Event on the AppRepository (reason {@value #REASON}), naming how
 * many requests it answered, their senders and delivery ids, so that {@code kubectl describe apprepository}
 * answers "why did it resync?" and a burst costs the API server one Event per update, not one per request. Best
 * effort: Events are created in the background with the refresh's own credential, dropped when too many wait, and
 * a credential that may not create Events is logged once per cluster; the refresh never fails because of its Event.
 */
public class RefreshAudit implements AutoCloseable {

    public static final String REASON = "RefreshRequested";
    /** The exchange variable that holds the credential of the update, which the kamelet drops from the headers. */
    public static final String CREDENTIAL_VARIABLE = "refreshCredential";
    private static final int QUEUE_SIZE = 1000;
    /** How long the Events still queued at shutdown get to be recorded; the grace period counts it. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(RefreshAudit.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClientPool clients;
    private final RefreshMetrics metrics;
    private final ThreadPoolExecutor executor;
    private final Set<String> deniedClusters = ConcurrentHashMap.newKeySet();

    public RefreshAudit(KubernetesClientPool clients, RefreshMetrics metrics) {
        this.clients = clients;
        this.metrics = metrics;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_SIZE),
                runnable -> {
                    Thread thread = new Thread(runnable, "refresh-audit");
                    thread.setDaemon(true);
                    return thread;
                }, (task, pool) -> metrics.auditEvent("dropped"));
    }

    /**
     * Called once per update, with the updated AppRepository as the body; an update that wrote nothing, since
     * every request was a delivery recorded already, gets no Event.
     */
    public void record(Exchange exchange) {
        Message in = exchange.getIn();
        List<ServedRequest> asking = ServedRequest.asking(in);
        if (asking.isEmpty()) {
            return;
        }
        String cluster = in.getHeader(RefreshHeaders.CLUSTER, String.class);
        String token = exchange.getVariable(CREDENTIAL_VARIABLE, String.class);
        Event event;
        try {
            event = event(JSON.readTree(in.getBody(String.class)), asking);
        } catch (Exception e) {
            metrics.auditEvent("failed");
            LOG.debug("No audit Event: the refreshed object could not be read ({})", e.getClass().getSimpleName());
            return;
        }
        executor.execute(() -> create(cluster, token, event));
    }

    private void create(String cluster, String token, Event event) {
        try (KubernetesClientPool.Lease lease = clients.lease(cluster, token)) {
            lease.client().v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
            metrics.auditEvent("recorded");
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                metrics.auditEvent("denied");
                if (deniedClusters.add(cluster)) {
                    LOG.warn("Refreshes on cluster {} are not recorded as Events: the refreshing credential may not "
                            + "create events (logged once)", cluster);
                }
            } else {
                metrics.auditEvent("failed");
                LOG.debug("Audit Event not recorded on cluster {}: HTTP {}", cluster, e.getCode());
            }
        } catch (RuntimeException e) {
            metrics.auditEvent("failed");
            LOG.debug("Audit Event not recorded on cluster {}: {}", cluster, e.getClass().getSimpleName());
        }
    }

    static Event event(JsonNode repository, List<ServedRequest> served) {
        JsonNode metadata = repository.path("metadata");
        String name = metadata.path("name").asText();
        String namespace = metadata.path("namespace").asText();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String message = "Resync requested by " + ServedRequest.describe(served) + ": spec.resyncRequests is now "
                + repository.at("/spec/resyncRequests").asLong();
        return new EventBuilder()
                .withNewMetadata().withGenerateName(name + ".").withNamespace(namespace).endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(repository.path("apiVersion").asText())
                .withKind(repository.path("kind").asText())
                .withName(name)
                .withNamespace(namespace)
                .withUid(metadata.path("uid").asText(null))
                .withResourceVersion(metadata.path("resourceVersion").asText(null))
                .endInvolvedObject()
                .withReason(REASON)
                .withMessage(message)
                .withType("Normal")
                .withNewSource().withComponent("apprepo-refresh").endSource()
                .withReportingComponent("apprepo-refresh")
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
    }

    /** Records the Events already queued, for a while, before the clients they need are closed. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.debug("Audit Events still queued at shutdown were dropped");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
