package dev.apprepo.refresh.kubernetes;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of Kubeapps' clusters configuration. Fields the refresh does not use ({@code serviceToken},
 * {@code pinnipedConfig}) are ignored rather than rejected, so a Kubeapps {@code clusters.conf} can be mounted as is.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Cluster(
        @JsonProperty("name") String name,
        @JsonProperty("apiServiceURL") String apiServiceURL,
        @JsonProperty("certificateAuthorityData") String certificateAuthorityData,
        @JsonProperty("insecure") boolean insecure,
        @JsonProperty("isKubeappsCluster") boolean isKubeappsCluster) {

    public static final String DEFAULT_NAME = "default";

    static Cluster defaultCluster() {
        return new Cluster(DEFAULT_NAME, null, null, false, true);
    }

    /** Kubeapps reaches a cluster without {@code apiServiceURL} through the pod's own (in-cluster) configuration. */
    boolean usesAmbientConfig() {
        return apiServiceURL == null || apiServiceURL.isBlank();
    }
}
