package dev.apprepo.refresh.kubernetes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.apprepo.refresh.kubernetes.ResyncRequests.Update;
import dev.apprepo.refresh.support.ServedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResyncRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-30T08:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    /**
     * An update of a repository whose deliveries annotation holds {@code recorded}, for the requests
     * {@code served}: what it writes (resyncRequests null when it writes nothing), which deliveries it finds
     * recorded, and the deliveries the object records afterwards.
     */
    record Case(String name, String recorded, List<ServedRequest> served, Long resyncRequests,
            Set<String> duplicates, Set<String> recordedAfter, String requestedBy, String requests) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String recentD1 = "{\"d-1\":\"2026-11-30T07:00:00Z\"}";
        return Stream.of(
                new Case("a bearer request bumps and records no delivery", null, List.of(bearer()), 8L, Set.of(),
                        Set.of(), "a bearer webhook", "1"),
                new Case("a new delivery bumps and is recorded", null, List.of(github("d-1")), 8L, Set.of(),
                        Set.of("d-1"), "a github webhook (delivery d-1)", "1"),
                new Case("a recorded delivery writes nothing", recentD1, List.of(github("d-1")), null,
                        Set.of("d-1"), Set.of("d-1"), null, null),
                new Case("a bearer request bumps even with a recorded delivery in its batch", recentD1,
                        List.of(github("d-1"), bearer()), 8L, Set.of("d-1"), Set.of("d-1"), "a bearer webhook", "1"),
                new Case("a batch records its new deliveries and counts only those", recentD1,
                        List.of(github("d-1"), github("d-2"), github("d-3")), 8L, Set.of("d-1"),
                        Set.of("d-1", "d-2", "d-3"), "2 webhook requests (github 2; deliveries d-2, d-3)", "2"),
                new Case("two copies of a new delivery in one batch are one delivery", null,
                        List.of(github("d-1"), github("d-1")), 8L, Set.of(), Set.of("d-1"),
                        "a github webhook (delivery d-1)", "1"),
                new Case("deliveries older than the retention are forgotten", "{\"old\":\"2026-11-28T08:00:00Z\","
                        + "\"kept\":\"2026-11-29T08:00:00Z\"}", List.of(github("d-1")), 8L, Set.of(),
                        Set.of("kept", "d-1"), "a github webhook (delivery d-1)", "1"),
                new Case("a forgotten delivery refreshes again", "{\"d-1\":\"2026-11-28T08:00:00Z\"}",
                        List.of(github("d-1")), 8L, Set.of(), Set.of("d-1"), "a github webhook (delivery d-1)", "1"),
                new Case("an annotation edited by hand records nothing and is replaced", "not json",
                        List.of(github("d-1")), 8L, Set.of(), Set.of("d-1"), "a github webhook (delivery d-1)", "1"),
                new Case("an annotation with a time that is not one is replaced", "{\"d-1\":\"yesterday\"}",
                        List.of(github("d-1")), 8L, Set.of(), Set.of("d-1"), "a github webhook (delivery d-1)",
                        "1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void updates(Case update) throws Exception {
        JsonNode read = repository(7, update.recorded());

        Update result = ResyncRequests.update(read, update.served(), DAY, NOW);

        assertEquals(update.duplicates(), result.duplicates());
        if (update.resyncRequests() == null) {
            assertNull(result.changed());
            return;
        }
        ObjectNode changed = result.changed();
        assertEquals(update.resyncRequests(), changed.at("/spec/resyncRequests").asLong());
        assertEquals(update.recordedAfter(), ResyncRequests.recordedDeliveries(changed).keySet());
        JsonNode annotations = changed.at("/metadata/annotations");
        assertEquals(update.requestedBy(), annotations.path(ResyncRequests.REQUESTED_BY).asText());
        assertEquals(update.requests(), annotations.path(ResyncRequests.REQUESTS).asText());
        assertEquals("2026-11-30T08:00:00Z", annotations.path(ResyncRequests.REQUESTED_AT).asText());
        // everything else of the object stays as it was read
        assertEquals("platform", annotations.path("kubeapps.dev/owner").asText());
        assertEquals("https://charts.example.com", changed.at("/spec/url").asText());
        assertEquals("42", changed.at("/metadata/resourceVersion").asText());
        assertEquals(7, read.at("/spec/resyncRequests").asLong(), "the object as read is not changed");
    }

    @Test
    void aRepositoryThatNeverResyncedStartsAtOne() throws Exception {
        ObjectNode read = (ObjectNode) repository(0, null);
        ((ObjectNode) read.get("spec")).remove("resyncRequests");

        assertEquals(1, ResyncRequests.update(read, List.of(bearer()), DAY, NOW).changed()
                .at("/spec/resyncRequests").asLong());
    }

    @Test
    void theRecordNeverOutgrowsItsBoundAndTheOldestGoFirst() throws Exception {
        JsonNode repository = repository(0, null);
        for (int round = 0; round < 20; round++) {
            List<ServedRequest> burst = new ArrayList<>();
            int first = round * 100;
            IntStream.range(first, first + 100)
                    .forEach(i -> burst.add(github("72d3162e-cc78-11e3-81ab-4c9367d%05d".formatted(i))));
            repository = ResyncRequests.update(repository, burst, DAY, NOW.plusSeconds(round)).changed();

            String annotation = repository.at("/metadata/annotations").path(ResyncRequests.DELIVERIES).asText();
            assertTrue(annotation.getBytes(StandardCharsets.UTF_8).length <= ResyncRequests.DELIVERIES_MAX_BYTES,
                    annotation.length() + " bytes");
        }
        Map<String, Instant> kept = ResyncRequests.recordedDeliveries(repository);
        assertTrue(kept.size() > 50, kept.size() + " deliveries kept");
        assertTrue(kept.containsKey("72d3162e-cc78-11e3-81ab-4c9367d01999"), "the newest is kept");
        assertFalse(kept.containsKey("72d3162e-cc78-11e3-81ab-4c9367d01900"), "the oldest of the last burst went");
        assertFalse(kept.containsKey("72d3162e-cc78-11e3-81ab-4c9367d00000"));
    }

    private static ServedRequest github(String delivery) {
        return new ServedRequest("github", delivery);
    }

    private static ServedRequest bearer() {
        return new ServedRequest("bearer", null);
    }

    private static JsonNode repository(long resyncRequests, String deliveries) throws Exception {
        ObjectNode repository = (ObjectNode) JSON.readTree("""
                {"apiVersion":"kubeapps.com/v1alpha1","kind":"AppRepository",
                 "metadata":{"name":"bitnami","namespace":"kubeapps","resourceVersion":"42",
                             "annotations":{"kubeapps.dev/owner":"platform"}},
                 "spec":{"url":"https://charts.example.com","type":"helm","resyncRequests":%d}}
                """.formatted(resyncRequests));
        if (deliveries != null) {
            ((ObjectNode) repository.at("/metadata/annotations")).put(ResyncRequests.DELIVERIES, deliveries);
        }
        return repository;
    }
}
