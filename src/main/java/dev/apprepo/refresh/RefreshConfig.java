package dev.apprepo.refresh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "refresh")
public interface RefreshConfig {

    /** Kubeapps clusters file (JSON or YAML); without it, one cluster "default" on the in-cluster config. */
    Optional<Path> clustersConfig();

    /** Connect and request timeout of each Kubernetes API call. */
    @WithDefault("10s")
    Duration apiTimeout();

    /** Attempts of get and update when another writer changed the AppRepository in between (409). */
    @WithDefault("5")
    int maxAttempts();

    /**
     * When more than three requests for one repository and token wait on its update (a burst), the next update
     * starts this long after that one started and takes every request that arrives until then: a burst of any
     * size costs about one update, and one sync Job, per interval.
     */
    @WithDefault("1s")
    Duration burstInterval();

    ClientPool clientPool();

    /** Receivers of signed deliveries (YAML or JSON); without it, bearer requests only. */
    Optional<Path> receiversConfig();

    /** The pod's ServiceAccount token: the credential of verified deliveries where a cluster has no serviceToken. */
    @WithDefault("/var/run/secrets/kubernetes.io/serviceaccount/token")
    Path serviceAccountTokenFile();

    Deliveries deliveries();

    interface Deliveries {

        /** How long the id of an accepted delivery is remembered, so that a repeat does not refresh again. */
        @WithDefault("24h")
        Duration retention();

        /** Most delivery ids remembered at once. */
        @WithDefault("100000")
        long maxSize();
    }

    interface ClientPool {

        /** Most clients (one per cluster and token) kept for reuse. */
        @WithDefault("256")
        int maxSize();

        /** A client unused for this long is closed. */
        @WithDefault("5m")
        Duration idleExpiry();
    }
}
