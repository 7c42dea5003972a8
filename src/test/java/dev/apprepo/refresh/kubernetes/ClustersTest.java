package dev.apprepo.refresh.kubernetes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClustersTest {

    private static final String CA = Base64.getEncoder().encodeToString(
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".getBytes());

    /** What in-cluster or KUBECONFIG configuration would give: only URL and CA may be taken from it. */
    private static Config ambient() {
        return new ConfigBuilder(Config.empty()).withMasterUrl("https://kubernetes.default.svc")
                .withCaCertFile("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
                .withOauthToken("pod-own-token").withTrustCerts(true).build();
    }

    @Test
    void readsKubeappsClustersConfigAsJson(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("clusters.conf"), """
                [
                  {"name": "default", "isKubeappsCluster": true},
                  {"name": "second", "apiServiceURL": "https://second.example.com:6443",
                   "certificateAuthorityData": "%s", "serviceToken": "not-used", "pinnipedConfig": {"enabled": false}},
                  {"name": "lab", "apiServiceURL": "https://lab.example.com", "insecure": true}
                ]
                """.formatted(CA));
        Clusters clusters = Clusters.load(file, ClustersTest::ambient);

        Config local = clusters.configFor("default").build();
        assertEquals("https://kubernetes.default.svc/", local.getMasterUrl());
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", local.getCaCertFile());
        assertNull(local.getOauthToken(), "the pod's token must never become a caller's credential");
        assertFalse(local.isTrustCerts(), "only insecure: true skips TLS verification");

        Config second = clusters.configFor("second").build();
        assertEquals("https://second.example.com:6443/", second.getMasterUrl());
        assertEquals(CA, second.getCaCertData());
        assertNull(second.getOauthToken(), "serviceToken is not a credential of bearer requests");
        assertFalse(second.isTrustCerts());

        assertTrue(clusters.configFor("lab").build().isTrustCerts());
        assertThrows(UnknownClusterException.class, () -> clusters.configFor("nowhere"));
    }

    @Test
    void readsYamlToo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("clusters.yaml"), """
                - name: default
                - name: remote
                  apiServiceURL: https://remote.example.com
                """);
        Clusters clusters = Clusters.load(file, ClustersTest::ambient);

        assertTrue(clusters.contains("default"));
        assertEquals("https://remote.example.com/", clusters.configFor("remote").build().getMasterUrl());
    }

    @Test
    void describesEachClusterForTheStartLogWithoutItsToken(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("clusters.conf"), """
                [
                  {"name": "default"},
                  {"name": "second", "apiServiceURL": "https://second.example.com:6443",
                   "certificateAuthorityData": "%s", "serviceToken": "service-s3cret"},
                  {"name": "public", "apiServiceURL": "https://k8s.example.com"},
                  {"name": "lab", "apiServiceURL": "https://lab.example.com", "insecure": true},
                  {"name": "local", "apiServiceURL": "http://127.0.0.1:8001"}
                ]
                """.formatted(CA));
        Clusters clusters = Clusters.load(file, ClustersTest::ambient);

        assertEquals("API server kubernetes.default.svc (in-cluster or KUBECONFIG configuration), TLS verified "
                + "against the cluster's CA", clusters.describe("default"));
        assertEquals("API server second.example.com:6443, TLS verified against the cluster's CA",
                clusters.describe("second"));
        assertEquals("API server k8s.example.com, TLS verified against the system trust store",
                clusters.describe("public"));
        assertEquals("API server lab.example.com, TLS NOT verified (insecure: true)", clusters.describe("lab"));
        assertEquals("API server 127.0.0.1:8001, plain HTTP, no TLS", clusters.describe("local"));
    }

    @Test
    void withoutFileThereIsOneDefaultClusterOnTheAmbientConfig() {
        Clusters clusters = Clusters.load(null, ClustersTest::ambient);

        assertEquals("https://kubernetes.default.svc/", clusters.configFor("default").build().getMasterUrl());
        assertFalse(clusters.contains("other"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "[{\"apiServiceURL\": \"https://x\"}]|entry 0 has no name",
            "[{\"name\": \"a\"}, {\"name\": \"a\"}]|entry 1 (\"a\") repeats a cluster name",
            "[{\"name\": \"a\", \"apiServiceURL\": \"ftp://x\"}]|entry 0 (\"a\") has an apiServiceURL that is not an http(s) URL",
            "[{\"name\": \"a\", \"certificateAuthorityData\": \"%%%\"}]|entry 0 (\"a\") has certificateAuthorityData that is not base64",
            "[]|lists no cluster",
            "{\"name\": \"a\"}|cannot read clusters config",
            "[{\"name\": \"a\", \"apiServiceURL\": \"https://a b\"}]|entry 0 (\"a\") has an apiServiceURL that is not an http(s) URL",
    })
    void refusesABrokenFileNamingTheEntry(String content, String message, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("clusters.conf"), content);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Clusters.load(file, ClustersTest::ambient));
        assertTrue(error.getMessage().contains(message), error.getMessage());
    }
}
