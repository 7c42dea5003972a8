package dev.apprepo.refresh.quarkus;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;

import dev.apprepo.refresh.kubernetes.Clusters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while at least one configured cluster's API server accepts connections; each cluster's state is in the
 * check's data. One cluster down must not take the others' refreshes out of the Service, and no check is a
 * liveness check: an unreachable API server is no reason to restart the pod.
 */
@Readiness
@ApplicationScoped
public class KubernetesApiReadiness implements HealthCheck {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final Clusters clusters;

    @Inject
    KubernetesApiReadiness(Clusters clusters) {
        this.clusters = clusters;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kubernetes-api");
        boolean anyReachable = false;
        for (String cluster : clusters.names()) {
            String state = state(clusters.configFor(cluster).build().getMasterUrl());
            anyReachable |= state.equals("reachable");
            response.withData(cluster, state);
        }
        return response.status(anyReachable).build();
    }

    private static String state(String masterUrl) {
        try {
            URI url = URI.create(masterUrl);
            int port = url.getPort() != -1 ? url.getPort() : "http".equals(url.getScheme()) ? 80 : 443;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(url.getHost(), port), (int) CONNECT_TIMEOUT.toMillis());
            }
            return "reachable";
        } catch (Exception e) {
            return "unreachable (" + e.getClass().getSimpleName() + ")";
        }
    }
}
