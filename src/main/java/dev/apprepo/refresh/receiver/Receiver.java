package dev.apprepo.refresh.receiver;

import java.util.List;
import java.util.Set;

/** A sender allowed to refresh one AppRepository by signing its deliveries. */
public record Receiver(String name, ReceiverType type, String cluster, String namespace, String repository,
                       List<SecretSource> secrets, Set<String> events, String algorithm) {

    /** Whether the event is one this receiver refreshes for; the type's defaults apply when it lists none. */
    public boolean accepts(String event) {
        Set<String> allowed = events != null ? events : type.defaultEvents();
        return allowed == null || event != null && allowed.contains(event);
    }

    /** Whether any of the receiver's secrets signed the delivery. */
    public boolean verify(ReceiverType.Request request, java.time.Instant now) {
        return type.verify(request, secrets.stream().map(SecretSource::value).toList(), algorithm, now);
    }

    @Override
    public String toString() {
        // secrets by origin only
        return "Receiver[" + name + ", " + type.configName() + ", " + cluster + "/" + namespace + "/" + repository
               + ", secrets " + secrets + "]";
    }
}
