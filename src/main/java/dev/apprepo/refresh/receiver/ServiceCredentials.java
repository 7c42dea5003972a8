package dev.apprepo.refresh.receiver;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.apprepo.refresh.kubernetes.Clusters;

/**
 * The service's own credential for a cluster, used only for verified signed deliveries: the cluster entry's
 * {@code serviceToken}, or else the pod's ServiceAccount token, read again when the kubelet rotates it.
 */
public final class ServiceCredentials {

    private final Clusters clusters;
    private final WatchedFile podToken;

    public ServiceCredentials(Clusters clusters, Path podTokenFile) {
        this.clusters = clusters;
        this.podToken = new WatchedFile(podTokenFile);
    }

    public boolean has(String cluster) {
        return clusters.serviceToken(cluster).isPresent() || Files.isReadable(podToken.path());
    }

    public String tokenFor(String cluster) {
        return clusters.serviceToken(cluster).orElseGet(podToken::content);
    }
}
