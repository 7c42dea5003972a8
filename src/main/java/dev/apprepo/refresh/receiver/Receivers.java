package dev.apprepo.refresh.receiver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.apprepo.refresh.kubernetes.Clusters;
import dev.apprepo.refresh.kubernetes.ConfigFiles;

/**
 * The receivers of {@code REFRESH_RECEIVERS_CONFIG}, at most one per AppRepository. A broken file is refused
 * whole, with a message that names the entry, so that nothing starts half-configured.
 */
public final class Receivers {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private record Target(String cluster, String namespace, String repository) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record File(List<Entry> receivers) {
    }

    record Entry(String name, String type, String cluster, String namespace, String repository,
                 List<String> secrets, List<String> events, String algorithm) {
    }

    private final Map<Target, Receiver> byTarget;

    private Receivers(Map<Target, Receiver> byTarget) {
        this.byTarget = byTarget;
    }

    public static Receivers none() {
        return new Receivers(Map.of());
    }

    /**
     * @param hasServiceCredential whether the service has a credential of its own for a cluster: a receiver's
     *                             refresh is done with it
     */
    public static Receivers load(Path file, Clusters clusters, Function<String, Boolean> hasServiceCredential,
                                 Function<String, String> environment) {
        File parsed;
        try {
            parsed = new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(Files.readString(file), File.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read receivers config " + file + ": " + ConfigFiles.describe(e));
        }
        if (parsed == null || parsed.receivers() == null) {
            throw new IllegalArgumentException("receivers config " + file + " has no list \"receivers\"");
        }
        Map<Target, Receiver> byTarget = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < parsed.receivers().size(); i++) {
            Entry entry = parsed.receivers().get(i);
            String where = "receivers[" + i + "]" + (entry != null && entry.name() != null
                    ? " (\"" + entry.name() + "\")" : "");
            Receiver receiver = receiver(entry, where, clusters, hasServiceCredential, environment);
            if (!names.add(receiver.name())) {
                throw new IllegalArgumentException(where + " repeats a receiver name");
            }
            Target target = new Target(receiver.cluster(), receiver.namespace(), receiver.repository());
            Receiver other = byTarget.put(target, receiver);
            if (other != null) {
                throw new IllegalArgumentException(where + " is for the same repository as \"" + other.name() + "\"");
            }
        }
        return new Receivers(Map.copyOf(byTarget));
    }

    private static Receiver receiver(Entry entry, String where, Clusters clusters,
                                     Function<String, Boolean> hasServiceCredential,
                                     Function<String, String> environment) {
        if (entry == null || entry.name() == null || entry.name().isBlank()) {
            throw new IllegalArgumentException(where + " has no name");
        }
        ReceiverType type = ReceiverType.fromConfigName(entry.type());
        if (type == null) {
            throw new IllegalArgumentException(where + " has unknown type \"" + entry.type() + "\": use github, "
                                               + "gitlab, nexus, harbor, generic-hmac or standard-webhooks");
        }
        String cluster = entry.cluster() == null ? "default" : entry.cluster();
        if (!clusters.contains(cluster)) {
            throw new IllegalArgumentException(where + " names cluster \"" + cluster + "\", which is not configured");
        }
        if (!hasServiceCredential.apply(cluster)) {
            throw new IllegalArgumentException(where + " refreshes on cluster \"" + cluster + "\", for which the "
                                               + "service has no credential: give the cluster a serviceToken or "
                                               + "run the service with a ServiceAccount token");
        }
        if (entry.namespace() == null || entry.namespace().length() > 63 || !LABEL.matcher(entry.namespace()).matches()) {
            throw new IllegalArgumentException(where + " needs a namespace that is a DNS-1123 label");
        }
        if (entry.repository() == null || entry.repository().length() > 253
            || !SUBDOMAIN.matcher(entry.repository()).matches()) {
            throw new IllegalArgumentException(where + " needs a repository name that is a DNS-1123 subdomain");
        }
        if (entry.secrets() == null || entry.secrets().isEmpty()) {
            throw new IllegalArgumentException(where + " has no secret");
        }
        List<SecretSource> secrets = new ArrayList<>();
        for (String spec : entry.secrets()) {
            try {
                SecretSource secret = SecretSource.parse(spec, environment);
                byte[] value = type == ReceiverType.STANDARD_WEBHOOKS
                        ? ReceiverType.standardWebhooksKey(secret.value()) : secret.value();
                if (value.length == 0) {
                    throw new IllegalArgumentException(secret.origin() + " is empty");
                }
                secrets.add(secret);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
        }
        String algorithm = entry.algorithm();
        if (type == ReceiverType.GENERIC_HMAC) {
            algorithm = algorithm == null ? "sha256" : algorithm;
            if (!algorithm.equals("sha256") && !algorithm.equals("sha512")) {
                throw new IllegalArgumentException(where + " has algorithm \"" + algorithm + "\": use sha256 or sha512");
            }
        } else if (algorithm != null) {
            throw new IllegalArgumentException(where + ": only generic-hmac receivers take an algorithm");
        }
        if (type == ReceiverType.GENERIC_HMAC && entry.events() != null) {
            throw new IllegalArgumentException(where + ": generic-hmac deliveries name no event to filter on");
        }
        Set<String> events = entry.events() == null ? null : Set.copyOf(entry.events());
        return new Receiver(entry.name(), type, cluster, entry.namespace(), entry.repository(), List.copyOf(secrets),
                events, algorithm);
    }

    /** The receiver of an AppRepository, or null. */
    public Receiver find(String cluster, String namespace, String repository) {
        return byTarget.get(new Target(cluster, namespace, repository));
    }
}
