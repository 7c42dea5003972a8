package dev.apprepo.refresh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import dev.apprepo.refresh.kubernetes.ResyncRequests;
import dev.apprepo.refresh.support.Durations;
import dev.apprepo.refresh.support.InvalidConfigurationException;

/**
 * The service's settings, each with its default, read from one property source: Quarkus' configuration in the
 * service, Camel's properties (which include the environment) elsewhere. {@code refresh.api-timeout} is also
 * {@code REFRESH_API_TIMEOUT}, and so on.
 *
 * @param clustersConfig          Kubeapps clusters file; without it, one cluster "default" on the in-cluster config
 * @param apiTimeout              connect and request timeout of each Kubernetes API call
 * @param maxAttempts             attempts of get and update when another writer changed the AppRepository in
 *                                between (409); without it, the kamelet's own default
 * @param burstInterval           when updates of one repository and token follow one another and more than four
 *                                requests come within this time of the first (a burst), the next update starts
 *                                this long after it and takes every request that arrives until then
 * @param clientPoolMaxSize       most Kubernetes clients (one per cluster and token) kept for reuse
 * @param clientPoolIdleExpiry    a client unused for this long is closed
 * @param receiversConfig         receivers of signed deliveries; without it, bearer requests only
 * @param serviceAccountTokenFile the pod's ServiceAccount token: the credential of verified deliveries where a cluster
 *                                has no serviceToken
 * @param deliveriesRetention     how long the id of an accepted delivery is remembered against repeats
 * @param deliveriesMaxSize       most delivery ids remembered at once
 */
public record RefreshSettings(
        Optional<Path> clustersConfig,
        Duration apiTimeout,
        Optional<Integer> maxAttempts,
        Duration burstInterval,
        int clientPoolMaxSize,
        Duration clientPoolIdleExpiry,
        Optional<Path> receiversConfig,
        Path serviceAccountTokenFile,
        Duration deliveriesRetention,
        long deliveriesMaxSize) {

    /** The defaults, as a service with no settings at all runs. */
    public static RefreshSettings defaults() {
        return from(name -> Optional.empty());
    }

    /** @param property the value of a setting by its property name, if it is set */
    public static RefreshSettings from(Function<String, Optional<String>> property) {
        Settings settings = new Settings(property);
        return new RefreshSettings(
                settings.path("refresh.clusters-config"),
                settings.duration("refresh.api-timeout", "10s"),
                settings.value("refresh.max-attempts")
                        .map(value -> (int) settings.number("refresh.max-attempts", value)),
                settings.duration("refresh.burst-interval", "1s"),
                (int) settings.number("refresh.client-pool.max-size", "256"),
                settings.duration("refresh.client-pool.idle-expiry", "5m"),
                settings.path("refresh.receivers-config"),
                settings.path("refresh.service-account-token-file")
                        .orElse(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token")),
                settings.duration("refresh.deliveries.retention", ResyncRequests.DEFAULT_DELIVERIES_RETENTION),
                settings.number("refresh.deliveries.max-size", "100000"));
    }

    private record Settings(Function<String, Optional<String>> property) {

        Optional<String> value(String name) {
            return property.apply(name).map(String::strip).filter(value -> !value.isEmpty());
        }

        Optional<Path> path(String name) {
            return value(name).map(Path::of);
        }

        long number(String name, String defaultValue) {
            String value = value(name).orElse(defaultValue);
            try {
                long number = Long.parseLong(value);
                if (number > 0 && number <= Integer.MAX_VALUE) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new InvalidConfigurationException(named(name) + " is \"" + value + "\": use a positive whole number");
        }

        Duration duration(String name, String defaultValue) {
            String value = value(name).orElse(defaultValue);
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(
                        named(name) + " is \"" + value + "\": use " + Durations.FORMS);
            }
        }

        /** The property and the environment variable that sets it. */
        private static String named(String name) {
            return name + " (" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ")";
        }
    }
}
