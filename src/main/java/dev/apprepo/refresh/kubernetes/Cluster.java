package dev.apprepo.refresh.kubernetes;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of Kubeapps' clusters configuration. {@code serviceToken} is the service's own credential for the
 * cluster, used only for verified signed deliveries; fields the refresh does not use ({@code isKubeappsCluster},
 * {@code pinnipedConfig}) are ignored, so a Kubeapps {@code clusters.conf} can be mounted as is.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Cluster(
        @JsonProperty("name") String name,
        @JsonProperty("apiServiceURL") String apiServiceURL,
        @JsonProperty("certificateAuthorityData") String certificateAuthorityData,
        @JsonProperty("insecure") boolean insecure,
        @JsonProperty("serviceToken") String serviceToken) {

    public static final String DEFAULT_NAME = "default";

    /** A cluster entry without a service token. */
    public Cluster(String name, String apiServiceURL, String certificateAuthorityData, boolean insecure) {
        this(name, apiServiceURL, certificateAuthorityData, insecure, null);
    }

    static Cluster defaultCluster() {
        return new Cluster(DEFAULT_NAME, null, null, false);
    }

    @Override
    public String toString() {
        // never the service token
        return "Cluster[name=" + name + ", apiServiceURL=" + apiServiceURL + ", insecure=" + insecure + "]";
    }

    /** Kubeapps reaches a cluster without {@code apiServiceURL} through the pod's own (in-cluster) configuration. */
    boolean usesAmbientConfig() {
        return apiServiceURL == null || apiServiceURL.isBlank();
    }
}
