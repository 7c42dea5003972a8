package dev.apprepo.refresh.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.apprepo.refresh.KubeappsApi;
import dev.apprepo.refresh.StallingApi;
import dev.apprepo.refresh.StallingApi.Stall;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KubernetesClientPoolTest {

    private final Vertx vertx = Vertx.vertx();
    private final Clusters clusters = Clusters.of(List.of(
            new Cluster("default", "https://10.0.0.1:6443", null, false),
            new Cluster("edge", "https://10.0.0.2:6443", null, false)), () -> null);

    private KubernetesClientPool pool(int maxSize) {
        return new KubernetesClientPool(clusters, new VertxHttpClientFactory(vertx), maxSize, Duration.ofMinutes(5),
                Duration.ofSeconds(10));
    }

    @AfterEach
    void closeVertx() {
        vertx.close();
    }

    private static KubernetesClient use(KubernetesClientPool pool, String cluster, String token) {
        try (KubernetesClientPool.Lease lease = pool.lease(cluster, token)) {
            return lease.client();
        }
    }

    /** fabric8's request timeout ends with the head of the answer; the pool's clients bound the body too. */
    @ParameterizedTest
    @EnumSource(Stall.class)
    void aCallEndsWithATimeoutWhenTheApiStalls(Stall stall) {
        try (StallingApi api = new StallingApi(stall);
                KubernetesClientPool pool = new KubernetesClientPool(
                        Clusters.of(List.of(new Cluster("stalling", api.url(), null, false)), () -> null),
                        new VertxHttpClientFactory(vertx), 8, Duration.ofMinutes(5), Duration.ofMillis(500));
                KubernetesClientPool.Lease lease = pool.lease("stalling", "token-a")) {
            var repository = lease.client().genericKubernetesResources(KubeappsApi.APP_REPOSITORIES)
                    .inNamespace("kubeapps").withName("bitnami");

            // a guard against a call that never ends, which is the defect this test is about, not a measure of speed
            KubernetesClientException failure = assertTimeoutPreemptively(Duration.ofMinutes(2),
                    () -> assertThrows(KubernetesClientException.class, repository::get));

            assertEquals(1, api.stalledRequests());
            assertTrue(causes(failure).anyMatch(TimeoutException.class::isInstance), failure.toString());
        }
    }

    private static Stream<Throwable> causes(Throwable failure) {
        return Stream.iterate(failure, Objects::nonNull, Throwable::getCause);
    }

    @Test
    void sameClusterAndTokenShareOneClient() {
        try (KubernetesClientPool pool = pool(8)) {
            KubernetesClient client = use(pool, "default", "token-a");

            assertSame(client, use(pool, "default", "token-a"));
            assertNotSame(client, use(pool, "default", "token-b"));
            assertNotSame(client, use(pool, "edge", "token-a"));
            assertEquals("token-a", client.getConfiguration().getOauthToken());
            assertEquals("https://10.0.0.1:6443/", client.getConfiguration().getMasterUrl());
        }
    }

    @Test
    void aClientEvictedWhileLentClosesWhenItsCallEnds() {
        try (KubernetesClientPool pool = pool(1)) {
            KubernetesClientPool.Lease lease = pool.lease("default", "token-a");
            for (int i = 0; i < 100; i++) {
                use(pool, "default", "other-" + i);
            }
            assertTrue(pool.size() <= 1);

            assertFalse(lease.client().getHttpClient().isClosed(), "a lent client must not be closed under its call");
            lease.close();
            assertTrue(lease.client().getHttpClient().isClosed());
        }
    }

    @Test
    void tenThousandTokensStayWithinTheBoundAndEvictedClientsAreClosed() {
        List<KubernetesClient> handedOut = new ArrayList<>();
        try (KubernetesClientPool pool = pool(64)) {
            // the shared event loop and the pool's closer start with the first clients
            for (int i = 0; i < 100; i++) {
                use(pool, "edge", "warm-up-" + i);
            }
            int threadsBefore = Thread.activeCount();
            for (int i = 0; i < 10_000; i++) {
                KubernetesClient client = use(pool, "default", "token-" + i);
                if (i % 100 == 0) {
                    handedOut.add(client);
                }
            }
            assertTrue(pool.size() <= 64, "pool size " + pool.size());
            assertTrue(Thread.activeCount() <= threadsBefore, "threads grew from " + threadsBefore + " to "
                    + Thread.activeCount());
        }
        for (KubernetesClient client : handedOut) {
            assertTrue(client.getHttpClient().isClosed(), "a client left the pool without being closed");
        }
    }

    @Test
    void emptyTokenAndUnknownClusterAreRefused() {
        try (KubernetesClientPool pool = pool(8)) {
            assertThrows(MissingCallerTokenException.class, () -> pool.lease("default", ""));
            assertThrows(MissingCallerTokenException.class, () -> pool.lease("default", null));
            assertThrows(UnknownClusterException.class, () -> pool.lease("nowhere", "token"));
            assertEquals(0, pool.size());
        }
    }

    @Test
    void clientsAreClosedWithThePool() {
        KubernetesClient client;
        try (KubernetesClientPool pool = pool(8)) {
            client = use(pool, "default", "token");
            assertFalse(client.getHttpClient().isClosed());
        }
        assertTrue(client.getHttpClient().isClosed());
    }
}
