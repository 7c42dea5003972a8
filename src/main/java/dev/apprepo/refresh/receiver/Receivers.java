package dev.apprepo.refresh.receiver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.Clusters;
import dev.apprepo.refresh.support.ConfigFiles;
import dev.apprepo.refresh.support.InvalidConfigurationException;
import dev.apprepo.refresh.support.KubernetesNames;

/**
 * The receivers of {@code REFRESH_RECEIVERS_CONFIG}, at most one per AppRepository. A broken file is refused
 * whole, with a message that names the entry, so that nothing starts half-configured.
 */
public final class Receivers {

    private record Target(String cluster, String namespace, String repository) {
    }

    // an unknown field fails the whole file: a misspelt "events" would otherwise accept every event
    @JsonIgnoreProperties(ignoreUnknown = false)
    record File(List<Entry> receivers) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Entry(String name, String type, String cluster, String namespace, String repository,
            List<String> secrets, List<String> events, String algorithm) {
    }

    private final List<Receiver> all;
    private final Map<Target, Receiver> byTarget;

    private Receivers(List<Receiver> all) {
        this.all = List.copyOf(all);
        Map<Target, Receiver> targets = new HashMap<>();
        all.forEach(receiver -> targets.put(new Target(receiver.cluster(), receiver.namespace(),
                receiver.repository()), receiver));
        this.byTarget = Map.copyOf(targets);
    }

    public static Receivers none() {
        return new Receivers(List.of());
    }

    /**
     * @param hasServiceCredential whether the service has a credential of its own for a cluster: a receiver's
     *                             refresh is done with it
     */
    public static Receivers load(Path file, Clusters clusters, Function<String, Boolean> hasServiceCredential,
            Function<String, String> environment) {
        File parsed = ConfigFiles.read(file, "receivers config", new TypeReference<File>() {
        });
        if (parsed == null || parsed.receivers() == null) {
            throw new InvalidConfigurationException("receivers config " + file + " has no list \"receivers\"");
        }
        List<Receiver> all = new ArrayList<>();
        Map<Target, Receiver> byTarget = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < parsed.receivers().size(); i++) {
            Entry entry = parsed.receivers().get(i);
            String where = file + ": receivers[" + i + "]" + (entry != null && entry.name() != null
                    ? " (\"" + entry.name() + "\")"
                    : "");
            Receiver receiver = receiver(entry, where, clusters, hasServiceCredential, environment);
            if (!names.add(receiver.name())) {
                throw new InvalidConfigurationException(where + " repeats a receiver name");
            }
            Target target = new Target(receiver.cluster(), receiver.namespace(), receiver.repository());
            Receiver other = byTarget.put(target, receiver);
            if (other != null) {
                throw new InvalidConfigurationException(
                        where + " is for the same repository as \"" + other.name() + "\"");
            }
            all.add(receiver);
        }
        return new Receivers(all);
    }

    private static Receiver receiver(Entry entry, String where, Clusters clusters,
            Function<String, Boolean> hasServiceCredential,
            Function<String, String> environment) {
        if (entry == null || entry.name() == null || entry.name().isBlank()) {
            throw new InvalidConfigurationException(where + " has no name");
        }
        ReceiverType type = ReceiverType.fromConfigName(entry.type());
        if (type == null) {
            throw new InvalidConfigurationException(where + " has unknown type \"" + entry.type() + "\": use github, "
                    + "gitlab, nexus, harbor, generic-hmac or standard-webhooks");
        }
        String cluster = entry.cluster() == null ? Cluster.DEFAULT_NAME : entry.cluster();
        if (!clusters.contains(cluster)) {
            throw new InvalidConfigurationException(
                    where + " names cluster \"" + cluster + "\", which is not configured");
        }
        if (!hasServiceCredential.apply(cluster)) {
            throw new InvalidConfigurationException(where + " refreshes on cluster \"" + cluster + "\", for which the "
                    + "service has no credential: give the cluster a serviceToken or "
                    + "run the service with a ServiceAccount token");
        }
        if (!KubernetesNames.isLabel(entry.namespace())) {
            throw new InvalidConfigurationException(where + " needs a namespace that is a DNS-1123 label");
        }
        if (!KubernetesNames.isSubdomain(entry.repository())) {
            throw new InvalidConfigurationException(where + " needs a repository name that is a DNS-1123 subdomain");
        }
        if (entry.secrets() == null || entry.secrets().isEmpty()) {
            throw new InvalidConfigurationException(where + " has no secret");
        }
        List<SecretSource> secrets = new ArrayList<>();
        for (String spec : entry.secrets()) {
            try {
                SecretSource secret = SecretSource.parse(spec, environment);
                byte[] value = type == ReceiverType.STANDARD_WEBHOOKS
                        ? ReceiverType.standardWebhooksKey(secret.value())
                        : secret.value();
                if (value.length == 0) {
                    throw new InvalidConfigurationException(secret.origin() + " is empty");
                }
                secrets.add(secret);
            } catch (RuntimeException e) {
                throw new InvalidConfigurationException(where + ": " + e.getMessage());
            }
        }
        String algorithm = entry.algorithm();
        if (type == ReceiverType.GENERIC_HMAC) {
            algorithm = algorithm == null ? "sha256" : algorithm;
            if (!algorithm.equals("sha256") && !algorithm.equals("sha512")) {
                throw new InvalidConfigurationException(
                        where + " has algorithm \"" + algorithm + "\": use sha256 or sha512");
            }
        } else if (algorithm != null) {
            throw new InvalidConfigurationException(where + ": only generic-hmac receivers take an algorithm");
        }
        if (type == ReceiverType.GENERIC_HMAC && entry.events() != null) {
            throw new InvalidConfigurationException(where + ": generic-hmac deliveries name no event to filter on");
        }
        Set<String> events = entry.events() == null ? null : Set.copyOf(entry.events());
        return new Receiver(entry.name(), type, cluster, entry.namespace(), entry.repository(), List.copyOf(secrets),
                events, algorithm);
    }

    /** Every receiver, in the order of the file. */
    public List<Receiver> all() {
        return all;
    }

    /** The receiver of an AppRepository, or null. */
    public Receiver find(String cluster, String namespace, String repository) {
        return byTarget.get(new Target(cluster, namespace, repository));
    }
}
