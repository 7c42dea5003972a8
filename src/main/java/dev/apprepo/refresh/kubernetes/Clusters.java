package dev.apprepo.refresh.kubernetes;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

/**
 * The clusters a refresh can target, in Kubeapps' own {@code clusters.conf} format. Only the API server's address
 * and how to trust it come from here: the credential is always the caller's token.
 */
public final class Clusters {

    /** Environment variable (or system property) naming the clusters file. */
    public static final String CONFIG_VARIABLE = "REFRESH_CLUSTERS_CONFIG";

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
                throw new IllegalArgumentException(where + " has no name");
            }
            where += " (\"" + cluster.name() + "\")";
            if (byName.put(cluster.name(), cluster) != null) {
                throw new IllegalArgumentException(where + " repeats a cluster name");
            }
            if (!cluster.usesAmbientConfig()) {
                URI url = URI.create(cluster.apiServiceURL());
                if (!"https".equals(url.getScheme()) && !"http".equals(url.getScheme()) || url.getHost() == null) {
                    throw new IllegalArgumentException(where + " has an apiServiceURL that is not an http(s) URL");
                }
            }
            if (cluster.certificateAuthorityData() != null && !cluster.certificateAuthorityData().isBlank()) {
                try {
                    Base64.getDecoder().decode(cluster.certificateAuthorityData().strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + " has certificateAuthorityData that is not base64");
                }
            }
        }
        return new Clusters(Map.copyOf(byName), ambient);
    }

    /** Reads the file if one is given, else the single cluster {@code default} on the ambient configuration. */
    public static Clusters load(Path file, Supplier<Config> ambient) {
        if (file == null) {
            return of(List.of(Cluster.defaultCluster()), ambient);
        }
        try {
            // YAML is a superset of JSON, so one parser reads both forms of the file
            List<Cluster> clusters = new ObjectMapper(new YAMLFactory())
                    .readValue(Files.readString(file), new TypeReference<List<Cluster>>() {
                    });
            if (clusters == null || clusters.isEmpty()) {
                throw new IllegalArgumentException("clusters config " + file + " lists no cluster");
            }
            return of(clusters, ambient);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read clusters config " + file + ": " + ConfigFiles.describe(e));
        }
    }

    /** The plain Camel (Camel JBang, Camel K) way: file from {@value #CONFIG_VARIABLE}, ambient from fabric8. */
    public static Clusters fromEnvironment() {
        String file = System.getProperty(CONFIG_VARIABLE, System.getenv(CONFIG_VARIABLE));
        return load(file == null || file.isBlank() ? null : Path.of(file), () -> Config.autoConfigure(null));
    }

    /** A client configuration with the cluster's URL and trust settings and no credential at all. */
    public ConfigBuilder configFor(String clusterName) {
        Cluster cluster = clusterName == null ? null : byName.get(clusterName);
        if (cluster == null) {
            throw new UnknownClusterException(clusterName);
        }
        // Config.empty(): never auto-configure, so no kubeconfig or ServiceAccount token can slip in
        ConfigBuilder builder = new ConfigBuilder(Config.empty());
        if (cluster.usesAmbientConfig()) {
            Config config = ambientConfig();
            builder.withMasterUrl(config.getMasterUrl())
                    .withCaCertData(config.getCaCertData())
                    .withCaCertFile(config.getCaCertFile());
        } else {
            builder.withMasterUrl(cluster.apiServiceURL());
            if (cluster.certificateAuthorityData() != null && !cluster.certificateAuthorityData().isBlank()) {
                builder.withCaCertData(cluster.certificateAuthorityData().strip());
            }
        }
        return builder.withTrustCerts(cluster.insecure()).withDisableHostnameVerification(cluster.insecure());
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
        Cluster cluster = byName.get(clusterName);
        if (cluster == null) {
            throw new UnknownClusterException(clusterName);
        }
        return Optional.ofNullable(cluster.serviceToken()).filter(token -> !token.isBlank());
    }

    public java.util.Set<String> names() {
        return byName.keySet();
    }

    public boolean contains(String clusterName) {
        return clusterName != null && byName.containsKey(clusterName);
    }
}
