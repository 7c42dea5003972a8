package dev.apprepo.refresh.receiver;

import java.time.Duration;
import java.util.Collection;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.apprepo.refresh.support.RefreshHeaders;
import dev.apprepo.refresh.support.RefreshMetrics;
import org.apache.camel.Header;

/**
 * The delivery ids of accepted deliveries this replica answered, per receiver, kept for a while so that a repeated
 * delivery (a sender's retry or a replay) that reaches this replica again costs no API call. Bounded in time and in
 * count. It is only a fast path: the truth is the record on the AppRepository ({@code ResyncRequests}), which every
 * replica checks in the update itself.
 */
public final class DeliveryLog {

    private final Cache<String, Boolean> delivered;
    private final RefreshMetrics metrics;

    public DeliveryLog(Duration retention, long maxSize, RefreshMetrics metrics) {
        this(retention, maxSize, metrics, Ticker.systemTicker());
    }

    DeliveryLog(Duration retention, long maxSize, RefreshMetrics metrics, Ticker ticker) {
        this.delivered = Caffeine.newBuilder().expireAfterWrite(retention).maximumSize(maxSize).ticker(ticker)
                .executor(Runnable::run).build();
        this.metrics = metrics;
    }

    /** How many delivery ids are remembered now. */
    public long size() {
        delivered.cleanUp();
        return delivered.estimatedSize();
    }

    /** Whether the delivery was accepted before; false for deliveries without an id (and bearer requests). */
    public boolean seen(@Header(RefreshHeaders.RECEIVER) String receiver,
            @Header(RefreshHeaders.DELIVERY_ID) String deliveryId,
            @Header(RefreshHeaders.SENDER) String sender) {
        boolean seen = deliveryId != null && delivered.getIfPresent(receiver + '\n' + deliveryId) != null;
        if (seen) {
            metrics.duplicate(sender);
        }
        return seen;
    }

    /**
     * Whether the update that answered the request found its delivery recorded on the AppRepository already, so
     * that it refreshed nothing for it: taken by another replica, or by this one before a restart.
     */
    public boolean recordedOnRepository(@Header(RefreshHeaders.DUPLICATES) Collection<String> duplicates,
            @Header(RefreshHeaders.DELIVERY_ID) String deliveryId,
            @Header(RefreshHeaders.SENDER) String sender) {
        boolean recorded = deliveryId != null && duplicates != null && duplicates.contains(deliveryId);
        if (recorded) {
            metrics.duplicate(sender);
        }
        return recorded;
    }

    /** Records an accepted delivery, once its refresh is done; deliveries without an id are not recorded. */
    public void remember(@Header(RefreshHeaders.RECEIVER) String receiver,
            @Header(RefreshHeaders.DELIVERY_ID) String deliveryId) {
        if (deliveryId != null) {
            delivered.put(receiver + '\n' + deliveryId, Boolean.TRUE);
        }
    }
}
