package dev.apprepo.refresh.kubernetes;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.apprepo.refresh.support.Digests;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Kubernetes clients keyed by cluster and caller token, so that repeated requests with one token reuse its
 * connections. The pool is bounded in size and idle time; the key holds a SHA-256 digest, never the token. A
 * client is lent for one call at a time ({@link Lease}); one that leaves the pool while lent is closed when the
 * last lease ends, so no call is ever cut short and no client outlives its use.
 */
public final class KubernetesClientPool implements AutoCloseable {

    private record Key(String cluster, String tokenDigest) {
    }

    /** A pooled client and how many calls use it. */
    private static final class PooledClient {

        final KubernetesClient client;
        private int leases;
        private boolean retired;

        PooledClient(KubernetesClient client) {
            this.client = client;
        }

        synchronized void acquire() {
            leases++;
        }

        synchronized void release() {
            if (--leases == 0 && retired) {
                client.close();
            }
        }

        synchronized void retire() {
            retired = true;
            if (leases == 0) {
                client.close();
            }
        }
    }

    /** A client lent for one call; closing the lease gives it back. */
    public static final class Lease implements AutoCloseable {

        private final PooledClient pooled;
        private boolean released;

        private Lease(PooledClient pooled) {
            this.pooled = pooled;
        }

        public KubernetesClient client() {
            return pooled.client;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                pooled.release();
            }
        }
    }

    private final Clusters clusters;
    private final HttpClient.Factory httpClients;
    private final Duration apiTimeout;
    private final Cache<Key, PooledClient> clients;
    // building one registers the whole Kubernetes model with Jackson: far too slow to do for every new token
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    /**
     * @param httpClients one factory for all clients, so that they share its event loop instead of starting their own
     * @param apiTimeout  connect and request timeout of every API call, and the most its answer's body may take
     */
    public KubernetesClientPool(Clusters clusters, HttpClient.Factory httpClients, int maxClients, Duration idleExpiry,
            Duration apiTimeout) {
        this.clusters = clusters;
        this.httpClients = httpClients;
        this.apiTimeout = apiTimeout;
        this.clients = Caffeine.newBuilder()
                .maximumSize(maxClients)
                .expireAfterAccess(idleExpiry)
                // idle clients close on time even when no request comes to trigger the cache's maintenance
                .scheduler(Scheduler.systemScheduler())
                .executor(Runnable::run)
                .removalListener((Key key, PooledClient pooled, RemovalCause cause) -> {
                    if (pooled != null) {
                        pooled.retire();
                    }
                })
                .build();
    }

    /**
     * The client that calls {@code cluster} with {@code token} as its bearer token, lent until the lease is closed.
     *
     * @throws UnknownClusterException if the cluster is not configured
     * @throws MissingCallerTokenException if the token is empty: fabric8 would fall back to another credential
     */
    public Lease lease(String cluster, String token) {
        if (token == null || token.isBlank()) {
            throw new MissingCallerTokenException();
        }
        if (!clusters.contains(cluster)) {
            throw new UnknownClusterException(cluster);
        }
        PooledClient[] leased = new PooledClient[1];
        // acquired inside the map's update: an entry evicted right after is still closed only after this call
        clients.asMap().compute(new Key(cluster, Digests.sha256Hex(token)), (key, existing) -> {
            PooledClient pooled = existing != null ? existing : new PooledClient(newClient(cluster, token));
            pooled.acquire();
            leased[0] = pooled;
            return pooled;
        });
        return new Lease(leased[0]);
    }

    private KubernetesClient newClient(String cluster, String token) {
        int timeoutMillis = Math.toIntExact(apiTimeout.toMillis());
        return new KubernetesClientBuilder()
                .withHttpClientFactory(httpClients)
                .withKubernetesSerialization(serialization)
                // at TRACE, fabric8 logs every request header: the caller's token with them
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("HttpLogging", null)
                        .addOrReplaceInterceptor(AnswerTimeout.NAME, new AnswerTimeout(apiTimeout)))
                .withConfig(clusters.configFor(cluster)
                        .withOauthToken(token)
                        .withConnectionTimeout(timeoutMillis)
                        .withRequestTimeout(timeoutMillis)
                        // fabric8 retries failed calls ten times by default: the API timeout would no longer hold
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
    }

    /** Number of pooled clients. */
    public long size() {
        clients.cleanUp();
        return clients.estimatedSize();
    }

    @Override
    public void close() {
        // clients still lent close when their call ends
        clients.invalidateAll();
        clients.cleanUp();
    }
}
