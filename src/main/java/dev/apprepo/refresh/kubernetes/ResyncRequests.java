package dev.apprepo.refresh.kubernetes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.apprepo.refresh.support.Durations;
import dev.apprepo.refresh.support.RefreshHeaders;
import dev.apprepo.refresh.support.ServedRequest;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kubernetes.KubernetesConstants;

/**
 * The change one update makes to the AppRepository it read: one more {@code spec.resyncRequests}, which is what
 * makes the Kubeapps controller start a sync, and in annotations, which start none, the deliveries it answered and
 * who asked. Because the ids of accepted deliveries live on the object and are checked against the object read in
 * the same attempt, a delivery already recorded there is a duplicate for every replica and after every restart: the
 * resourceVersion lock of the update makes the check and the record one step.
 */
public final class ResyncRequests {

    public static final String ANNOTATION_PREFIX = "refresh.apprepo.dev/";
    /** The ids of recent accepted deliveries with the time each was recorded, oldest first, as a JSON object. */
    public static final String DELIVERIES = ANNOTATION_PREFIX + "deliveries";
    /** When the last update was written. */
    public static final String REQUESTED_AT = ANNOTATION_PREFIX + "requested-at";
    /** Who asked for the last update: senders and deliveries, as the audit Event says it. */
    public static final String REQUESTED_BY = ANNOTATION_PREFIX + "requested-by";
    /** How many requests asked for the last update. */
    public static final String REQUESTS = ANNOTATION_PREFIX + "requests";

    /** The deliveries annotation never grows past this, whatever the traffic: the oldest ids go first. */
    public static final int DELIVERIES_MAX_BYTES = 4096;
    public static final String DEFAULT_DELIVERIES_RETENTION = "24h";
    /** The exchange variable the kamelet passes its deliveriesRetention property in. */
    public static final String RETENTION_VARIABLE = "deliveriesRetention";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResyncRequests() {
    }

    /**
     * With the AppRepository as read in the body: sets {@link KubernetesConstants#KUBERNETES_CRD_INSTANCE} to the
     * object to write back, or removes it when every request is a delivery the object has recorded already, and
     * names those deliveries in {@link RefreshHeaders#DUPLICATES}.
     */
    public static void prepare(Exchange exchange) throws JsonProcessingException {
        Message in = exchange.getIn();
        String retention = exchange.getVariable(RETENTION_VARIABLE, "", String.class);
        Duration keep = Durations.parse(retention.isBlank() ? DEFAULT_DELIVERIES_RETENTION : retention);
        JsonNode read = JSON.readTree(in.getBody(String.class));
        Update update = update(read, ServedRequest.of(in), keep, Instant.now());
        in.setHeader(RefreshHeaders.DUPLICATES, update.duplicates());
        if (update.changed() == null) {
            in.removeHeader(KubernetesConstants.KUBERNETES_CRD_INSTANCE);
        } else {
            in.setHeader(KubernetesConstants.KUBERNETES_CRD_INSTANCE, JSON.writeValueAsString(update.changed()));
        }
    }

    /** @param changed the object to write, or null when nothing is */
    record Update(ObjectNode changed, Set<String> duplicates) {
    }

    static Update update(JsonNode read, List<ServedRequest> served, Duration retention, Instant now) {
        Instant at = now.truncatedTo(ChronoUnit.SECONDS);
        Map<String, Instant> recorded = recordedDeliveries(read);
        // a delivery recorded longer ago than the retention is forgotten: a repeat of it refreshes again
        recorded.values().removeIf(time -> time.isBefore(at.minus(retention)));
        Set<String> duplicates = new LinkedHashSet<>();
        served.stream().map(ServedRequest::deliveryId).filter(recorded::containsKey).forEach(duplicates::add);
        List<ServedRequest> asking = ServedRequest.asking(served, duplicates);
        if (asking.isEmpty()) {
            return new Update(null, duplicates);
        }

        ObjectNode changed = read.deepCopy();
        ObjectNode spec = changed.withObjectProperty("spec");
        spec.put("resyncRequests", spec.path("resyncRequests").asLong(0) + 1);

        asking.stream().map(ServedRequest::deliveryId).filter(Objects::nonNull)
                .forEach(id -> recorded.putIfAbsent(id, at));

        ObjectNode annotations = changed.withObjectProperty("metadata").withObjectProperty("annotations");
        annotations.put(REQUESTED_AT, at.toString());
        annotations.put(REQUESTED_BY, ServedRequest.describe(asking));
        annotations.put(REQUESTS, String.valueOf(asking.size()));
        String deliveries = bounded(recorded);
        if (deliveries == null) {
            annotations.remove(DELIVERIES);
        } else {
            annotations.put(DELIVERIES, deliveries);
        }
        return new Update(changed, duplicates);
    }

    /**
     * The delivery ids the object records. An annotation that is not what this service writes (edited by hand,
     * or by another tool) records nothing, and is written over by the next update.
     */
    static Map<String, Instant> recordedDeliveries(JsonNode repository) {
        Map<String, Instant> recorded = new LinkedHashMap<>();
        JsonNode annotation = repository.path("metadata").path("annotations").path(DELIVERIES);
        if (!annotation.isTextual()) {
            return recorded;
        }
        try {
            JsonNode deliveries = JSON.readTree(annotation.asText());
            for (Map.Entry<String, JsonNode> entry : deliveries.properties()) {
                recorded.put(entry.getKey(), Instant.parse(entry.getValue().asText()));
            }
        } catch (JsonProcessingException | DateTimeParseException e) {
            recorded.clear();
        }
        return recorded;
    }

    /** The recorded deliveries as the annotation holds them, oldest dropped first to fit; null when none are left. */
    private static String bounded(Map<String, Instant> recorded) {
        List<Map.Entry<String, Instant>> entries = new ArrayList<>(recorded.entrySet());
        entries.sort(Map.Entry.comparingByValue());
        int from = 0;
        // each entry costs its id, its time, four quotes, a colon and a comma; and the braces
        int bytes = 1;
        for (Map.Entry<String, Instant> entry : entries) {
            bytes += entrySize(entry);
        }
        while (bytes > DELIVERIES_MAX_BYTES && from < entries.size()) {
            bytes -= entrySize(entries.get(from++));
        }
        // ids that need escaping in JSON take more than counted: drop more until the text fits
        for (; from < entries.size(); from++) {
            ObjectNode deliveries = JSON.createObjectNode();
            entries.subList(from, entries.size())
                    .forEach(entry -> deliveries.put(entry.getKey(), entry.getValue().toString()));
            String text = deliveries.toString();
            if (text.getBytes(StandardCharsets.UTF_8).length <= DELIVERIES_MAX_BYTES) {
                return text;
            }
        }
        return null;
    }

    private static int entrySize(Map.Entry<String, Instant> entry) {
        return entry.getKey().getBytes(StandardCharsets.UTF_8).length
                + entry.getValue().toString().length() + 6;
    }
}
