package dev.apprepo.refresh.kubernetes;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;

/**
 * Kubernetes clients keyed by cluster and caller token, so that repeated requests with one token reuse its
 * connections. The pool is bounded in size and idle time; the key holds a SHA-256 digest, never the token.
 */
public final class KubernetesClientPool implements AutoCloseable {

    private record Key(String cluster, String tokenDigest) {
    }

    /** Defaults for plain Camel (Camel JBang, Camel K), where no application configures the pool. */
    public static final int DEFAULT_MAX_CLIENTS = 256;
    public static final Duration DEFAULT_IDLE_EXPIRY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_API_TIMEOUT = Duration.ofSeconds(10);

    private final Clusters clusters;
    private final HttpClient.Factory httpClients;
    private final Duration apiTimeout;
    private final Cache<Key, KubernetesClient> clients;
    private final ScheduledExecutorService closer;
    private final Queue<KubernetesClient> retiring = new ConcurrentLinkedQueue<>();
    private Vertx ownVertx;

    /**
     * @param httpClients one factory for all clients, so that they share its event loop instead of starting their own
     * @param apiTimeout  connect and request timeout of every API call
     */
    public KubernetesClientPool(Clusters clusters, HttpClient.Factory httpClients, int maxClients, Duration idleExpiry,
                                Duration apiTimeout) {
        this.clusters = clusters;
        this.httpClients = httpClients;
        this.apiTimeout = apiTimeout;
        this.closer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kubernetes-client-pool-closer");
            thread.setDaemon(true);
            return thread;
        });
        // An evicted client may still be serving the call it was just handed out for: close it once that call
        // has certainly ended, that is after one API timeout.
        long graceMillis = apiTimeout.toMillis() + 1000;
        this.clients = Caffeine.newBuilder()
                .maximumSize(maxClients)
                .expireAfterAccess(idleExpiry)
                .executor(Runnable::run)
                .removalListener((Key key, KubernetesClient client, RemovalCause cause) -> retire(client, graceMillis))
                .build();
    }

    /**
     * A pool for plain Camel: clusters from {@value Clusters#CONFIG_VARIABLE}, default bounds and timeout, and an
     * event loop of its own, closed with the pool.
     */
    public static KubernetesClientPool standalone() {
        Vertx vertx = Vertx.vertx();
        KubernetesClientPool pool = new KubernetesClientPool(Clusters.fromEnvironment(),
                new VertxHttpClientFactory(vertx), DEFAULT_MAX_CLIENTS, DEFAULT_IDLE_EXPIRY, DEFAULT_API_TIMEOUT);
        pool.ownVertx = vertx;
        return pool;
    }

    /**
     * The client that calls {@code cluster} with {@code token} as its bearer token.
     *
     * @throws UnknownClusterException if the cluster is not configured
     * @throws MissingCallerTokenException if the token is empty: fabric8 would fall back to another credential
     */
    public KubernetesClient clientFor(String cluster, String token) {
        if (token == null || token.isBlank()) {
            throw new MissingCallerTokenException();
        }
        if (!clusters.contains(cluster)) {
            throw new UnknownClusterException(cluster);
        }
        return clients.get(new Key(cluster, TokenDigest.sha256(token)), key -> newClient(cluster, token));
    }

    private void retire(KubernetesClient client, long graceMillis) {
        if (client == null) {
            return;
        }
        retiring.add(client);
        try {
            closer.schedule(() -> {
                if (retiring.remove(client)) {
                    client.close();
                }
            }, graceMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException poolClosed) {
            retiring.remove(client);
            client.close();
        }
    }

    private KubernetesClient newClient(String cluster, String token) {
        int timeoutMillis = Math.toIntExact(apiTimeout.toMillis());
        return new KubernetesClientBuilder()
                .withHttpClientFactory(httpClients)
                // at TRACE, fabric8 logs every request header: the caller's token with them
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("HttpLogging", null))
                .withConfig(clusters.configFor(cluster)
                        .withOauthToken(token)
                        .withConnectionTimeout(timeoutMillis)
                        .withRequestTimeout(timeoutMillis)
                        // fabric8 retries failed calls ten times by default: the API timeout would no longer hold
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
    }

    /** Number of pooled clients, for tests and metrics. */
    public long size() {
        clients.cleanUp();
        return clients.estimatedSize();
    }

    @Override
    public void close() {
        closer.shutdownNow();
        clients.invalidateAll();
        clients.cleanUp();
        // clients still in their grace period are closed now: nothing is served any more
        KubernetesClient client;
        while ((client = retiring.poll()) != null) {
            client.close();
        }
        if (ownVertx != null) {
            ownVertx.close();
        }
    }
}
