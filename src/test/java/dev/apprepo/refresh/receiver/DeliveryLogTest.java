package dev.apprepo.refresh.receiver;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import dev.apprepo.refresh.support.RefreshMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryLogTest {

    private final AtomicLong nanos = new AtomicLong();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DeliveryLog log = new DeliveryLog(Duration.ofHours(24), 1000, new RefreshMetrics(meters),
            nanos::get);

    @Test
    void remembersAcceptedDeliveriesPerReceiverForTheRetention() {
        log.remember("gh", "d-1");

        assertTrue(log.seen("gh", "d-1", "github"));
        assertFalse(log.seen("gl", "d-1", "github"), "delivery ids are the sender's: another receiver's are others");
        assertFalse(log.seen("gh", "d-2", "github"));

        nanos.addAndGet(Duration.ofHours(23).toNanos());
        assertTrue(log.seen("gh", "d-1", "github"));
        nanos.addAndGet(Duration.ofHours(2).toNanos());
        assertFalse(log.seen("gh", "d-1", "github"));
    }

    @Test
    void deliveriesWithoutIdAreNeitherRememberedNorDuplicates() {
        log.remember("hb", null);

        assertFalse(log.seen("hb", null, "github"));
    }

    @Test
    void aDeliveryTheUpdateFoundRecordedOnTheRepositoryIsADuplicate() {
        assertTrue(log.recordedOnRepository(Set.of("d-1", "d-2"), "d-1", "github"));
        assertFalse(log.recordedOnRepository(Set.of("d-2"), "d-1", "github"));
        assertFalse(log.recordedOnRepository(Set.of("d-1"), null, "bearer"));
        assertFalse(log.recordedOnRepository(null, "d-1", "github"), "an update that failed found nothing");
        assertEquals(1.0, meters.get("apprepo.refresh.duplicate.deliveries").tag("sender", "github").counter()
                .count());
    }

    @Test
    void staysWithinItsBound() {
        for (int i = 0; i < 10_000; i++) {
            log.remember("gh", "d-" + i);
        }

        assertTrue(log.size() <= 1000, "size " + log.size());
    }
}
