package dev.apprepo.refresh;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.kubernetes.KubernetesClientPool;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each refresh as a Kubernetes Event on the AppRepository (reason {@value #REASON}), so that
 * {@code kubectl describe apprepository} answers "why did it resync?". Best effort: Events are created in the
 * background with the refresh's own credential, dropped when too many wait, and a credential that may not create
 * Events is logged once per cluster; the refresh never fails because of its Event.
 */
public class RefreshAudit implements AutoCloseable {

    public static final String REASON = "RefreshRequested";
    private static final Logger LOG = LoggerFactory.getLogger(RefreshAudit.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClientPool clients;
    private final ThreadPoolExecutor executor;
    private final Set<String> deniedClusters = ConcurrentHashMap.newKeySet();

    public RefreshAudit(KubernetesClientPool clients, int queueSize) {
        this.clients = clients;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueSize),
                runnable -> {
                    Thread thread = new Thread(runnable, "refresh-audit");
                    thread.setDaemon(true);
                    return thread;
                }, (task, pool) -> RefreshMetrics.auditEvent("dropped"));
    }

    /** Called with the refreshed AppRepository as the body. */
    public void record(Exchange exchange) {
        Message in = exchange.getIn();
        String cluster = in.getHeader(RefreshHeaders.CLUSTER, String.class);
        String token = in.getHeader(RefreshHeaders.TOKEN, String.class);
        Event event;
        try {
            event = event(JSON.readTree(in.getBody(String.class)), in.getHeader(RefreshHeaders.SENDER, String.class),
                    in.getHeader(RefreshHeaders.DELIVERY_ID, String.class));
        } catch (Exception e) {
            RefreshMetrics.auditEvent("failed");
            LOG.debug("No audit Event: the refreshed object could not be read ({})", e.getClass().getSimpleName());
            return;
        }
        executor.execute(() -> create(cluster, token, event));
    }

    private void create(String cluster, String token, Event event) {
        try (KubernetesClientPool.Lease lease = clients.lease(cluster, token)) {
            lease.client().v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
            RefreshMetrics.auditEvent("recorded");
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                RefreshMetrics.auditEvent("denied");
                if (deniedClusters.add(cluster)) {
                    LOG.warn("Refreshes on cluster {} are not recorded as Events: the refreshing credential may not "
                             + "create events (logged once)", cluster);
                }
            } else {
                RefreshMetrics.auditEvent("failed");
                LOG.debug("Audit Event not recorded on cluster {}: HTTP {}", cluster, e.getCode());
            }
        } catch (RuntimeException e) {
            RefreshMetrics.auditEvent("failed");
            LOG.debug("Audit Event not recorded on cluster {}: {}", cluster, e.getClass().getSimpleName());
        }
    }

    static Event event(JsonNode repository, String sender, String deliveryId) {
        JsonNode metadata = repository.path("metadata");
        String name = metadata.path("name").asText();
        String namespace = metadata.path("namespace").asText();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String message = "Resync requested by a " + (sender == null ? "bearer" : sender) + " webhook"
                         + (deliveryId == null ? "" : " (delivery " + deliveryId + ")")
                         + ": spec.resyncRequests is now " + repository.at("/spec/resyncRequests").asLong();
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

    @Override
    public void close() {
        executor.shutdown();
    }
}
