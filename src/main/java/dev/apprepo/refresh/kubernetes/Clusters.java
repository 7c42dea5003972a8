package dev.apprepo.refresh.kubernetes;

import java.net.URI;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.apprepo.refresh.support.ConfigFiles;
import dev.apprepo.refresh.support.InvalidConfigurationException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

/**
 * The clusters a refresh can target, in Kubeapps' own {@code clusters.conf} format. Only the API server's address
 * and how to trust it come from here: the credential is always the caller's token.
 */
public final class Clusters {

    private final Map<String, Cluster> byName;
    private final Supplier<Config> ambient;
    private volatile Config ambientConfig;

    private Clusters(Map<String, Cluster> byName, Supplier<Config> ambient) {
        this.byName = byName;
        this.ambient = ambient;
    }

    /**
     * @param ambient the in-cluster or KUBECONFIG configuration, read only for the URL and CA of clusters that have
     *                no {@code apiServiceURL}
     */
    public static Clusters of(List<Cluster> clusters, Supplier<Config> ambient) {
        Map<String, Cluster> byName = new LinkedHashMap<>();
        for (int i = 0; i < clusters.size(); i++) {
            Cluster cluster = clusters.get(i);
            String where = "clusters config entry " + i;
            if (cluster == null || cluster.name() == null || cluster.name().isBlank()) {
                throw new InvalidConfigurationException(where + " has no name");
            }
            where += " (\"" + cluster.name() + "\")";
            if (byName.put(cluster.name(), cluster) != null) {
                throw new InvalidConfigurationException(where + " repeats a cluster name");
            }
            if (!cluster.usesAmbientConfig() && !isHttpUrl(cluster.apiServiceURL())) {
                throw new InvalidConfigurationException(where + " has an apiServiceURL that is not an http(s) URL");
            }
            if (cluster.certificateAuthorityData() != null && !cluster.certificateAuthorityData().isBlank()) {
                try {
                    Base64.getDecoder().decode(cluster.certificateAuthorityData().strip());
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigurationException(where + " has certificateAuthorityData that is not base64");
                }
            }
        }
        return new Clusters(Collections.unmodifiableMap(byName), ambient);
    }

    /** Reads the file if one is given, else the single cluster {@code default} on the ambient configuration. */
    public static Clusters load(Path file, Supplier<Config> ambient) {
        if (file == null) {
            return of(List.of(Cluster.defaultCluster()), ambient);
        }
        List<Cluster> clusters = ConfigFiles.read(file, "clusters config", new TypeReference<List<Cluster>>() {
        });
        if (clusters == null || clusters.isEmpty()) {
            throw new InvalidConfigurationException("clusters config " + file + " lists no cluster");
        }
        try {
            return of(clusters, ambient);
        } catch (InvalidConfigurationException e) {
            throw new InvalidConfigurationException(file + ": " + e.getMessage());
        }
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI url = URI.create(value);
            return ("https".equals(url.getScheme()) || "http".equals(url.getScheme())) && url.getHost() != null;
        } catch (IllegalArgumentException notAUri) {
            return false;
        }
    }

    /** A client configuration with the cluster's URL and trust settings and no credential at all. */
    public ConfigBuilder configFor(String clusterName) {
        Cluster cluster = cluster(clusterName);
        // Config.empty(): never auto-configure, so no kubeconfig or ServiceAccount token can slip in
        ConfigBuilder builder = new ConfigBuilder(Config.empty());
        if (cluster.usesAmbientConfig()) {
            Config config = ambientConfig();
            builder.withMasterUrl(config.getMasterUrl())
                    .withCaCertData(config.getCaCertData())
                    .withCaCertFile(config.getCaCertFile());
        } else {
            builder.withMasterUrl(cluster.apiServiceURL());
            if (hasCaData(cluster)) {
                builder.withCaCertData(cluster.certificateAuthorityData().strip());
            }
        }
        return builder.withTrustCerts(cluster.insecure()).withDisableHostnameVerification(cluster.insecure());
    }

    /** Where the cluster's API server is and how it is trusted, for the log: never a credential. */
    public String describe(String clusterName) {
        Cluster cluster = cluster(clusterName);
        URI url = URI.create(configFor(clusterName).build().getMasterUrl());
        String where = url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort())
                + (cluster.usesAmbientConfig() ? " (in-cluster or KUBECONFIG configuration)" : "");
        String trust;
        if (cluster.insecure()) {
            trust = "TLS NOT verified (insecure: true)";
        } else if ("http".equals(url.getScheme())) {
            trust = "plain HTTP, no TLS";
        } else if (hasCaData(cluster) || cluster.usesAmbientConfig() && ambientHasCa()) {
            trust = "TLS verified against the cluster's CA";
        } else {
            trust = "TLS verified against the system trust store";
        }
        return "API server " + where + ", " + trust;
    }

    private boolean ambientHasCa() {
        Config config = ambientConfig();
        return config.getCaCertData() != null || config.getCaCertFile() != null;
    }

    private static boolean hasCaData(Cluster cluster) {
        return cluster.certificateAuthorityData() != null && !cluster.certificateAuthorityData().isBlank();
    }

    private Cluster cluster(String clusterName) {
        Cluster cluster = clusterName == null ? null : byName.get(clusterName);
        if (cluster == null) {
            throw new UnknownClusterException(clusterName);
        }
        return cluster;
    }

    private Config ambientConfig() {
        Config config = ambientConfig;
        if (config == null) {
            // reading the kubeconfig or the in-cluster files once is enough: only URL and CA are taken
            config = ambientConfig = ambient.get();
        }
        return config;
    }

    /** The {@code serviceToken} of the cluster's entry, if it has one. */
    public Optional<String> serviceToken(String clusterName) {
        return Optional.ofNullable(cluster(clusterName).serviceToken()).filter(token -> !token.isBlank());
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public boolean contains(String clusterName) {
        return clusterName != null && byName.containsKey(clusterName);
    }
}
