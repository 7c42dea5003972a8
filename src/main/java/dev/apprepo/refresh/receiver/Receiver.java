package dev.apprepo.refresh.receiver;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A sender allowed to refresh one AppRepository by signing its deliveries. */
public record Receiver(String name, ReceiverType type, String cluster, String namespace, String repository,
        List<SecretSource> secrets, Set<String> events, String algorithm) {

    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);

    /** Whether the event is one this receiver refreshes for; the type's defaults apply when it lists none. */
    public boolean accepts(String event) {
        Set<String> allowed = events != null ? events : type.defaultEvents();
        return allowed == null || event != null && allowed.contains(event);
    }

    /**
     * Whether any of the receiver's secrets signed the delivery. A secret that cannot be used now (a file rotated to
     * an empty or unreadable one) verifies nothing, so that the request is still judged as a bearer request.
     */
    public boolean verify(ReceiverType.Request request, Instant now) {
        try {
            return type.verify(request, secrets.stream().map(SecretSource::value).toList(), algorithm, now);
        } catch (RuntimeException unusableSecret) {
            LOG.warn("Receiver {} cannot verify deliveries: a secret cannot be used ({})", name,
                    unusableSecret.getClass().getSimpleName());
            return false;
        }
    }

    @Override
    public String toString() {
        // secrets by origin only
        return "Receiver[" + name + ", " + type.configName() + ", " + cluster + "/" + namespace + "/" + repository
                + ", secrets " + secrets + "]";
    }
}
