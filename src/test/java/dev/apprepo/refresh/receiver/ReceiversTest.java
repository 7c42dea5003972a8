package dev.apprepo.refresh.receiver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.Clusters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceiversTest {

    private static final Clusters CLUSTERS = Clusters.of(List.of(
            new Cluster("default", "https://10.0.0.1", null, false),
            new Cluster("edge", "https://10.0.0.2", null, false)), () -> null);
    private static final Map<String, String> ENVIRONMENT = Map.of("GITHUB_SECRET", "from-env");

    private static Receivers load(Path file) {
        return Receivers.load(file, CLUSTERS, cluster -> !cluster.equals("edge"), ENVIRONMENT::get);
    }

    private static ReceiverType.Request gitlab(String token) {
        return ReceiverType.Request.of(name -> name.equals("X-Gitlab-Token") ? token : null, new byte[0]);
    }

    @Test
    void readsReceiversWithSecretsInlineFromFilesAndFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path secretFile = Files.writeString(dir.resolve("gitlab-token"), "from-file\n");
        Path file = Files.writeString(dir.resolve("receivers.yaml"), """
                receivers:
                  - name: charts-github
                    type: github
                    namespace: kubeapps
                    repository: bitnami
                    secrets: [env:GITHUB_SECRET, inline-old]
                  - name: charts-gitlab
                    type: gitlab
                    cluster: default
                    namespace: team-a
                    repository: charts.example.com
                    secrets: ["file:%s"]
                    events: [Push Hook]
                  - name: webhooks
                    type: generic-hmac
                    algorithm: sha512
                    namespace: team-b
                    repository: charts
                    secrets: [s3cr3t]
                """.formatted(secretFile));

        Receivers receivers = load(file);

        Receiver github = receivers.find("default", "kubeapps", "bitnami");
        assertEquals(ReceiverType.GITHUB, github.type());
        assertEquals(2, github.secrets().size());
        assertTrue(github.accepts("push"));
        assertFalse(github.accepts("pull_request"));
        Receiver gitlab = receivers.find("default", "team-a", "charts.example.com");
        assertTrue(gitlab.verify(gitlab("from-file"), Instant.now()), "a file secret without its newline");
        assertTrue(gitlab.accepts("Push Hook"));
        assertFalse(gitlab.accepts("Tag Push Hook"), "the receiver's list replaces the defaults");
        assertEquals("sha512", receivers.find("default", "team-b", "charts").algorithm());
        assertNull(receivers.find("default", "kubeapps", "other"));
        assertFalse(github.toString().contains("inline-old") || github.toString().contains("from-env"),
                github.toString());
    }

    @Test
    void aSecretFileIsReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
        Path secretFile = Files.writeString(dir.resolve("token"), "first");
        Path file = Files.writeString(dir.resolve("receivers.json"), """
                {"receivers": [{"name": "r", "type": "gitlab", "namespace": "kubeapps", "repository": "bitnami",
                                "secrets": ["file:%s"]}]}
                """.formatted(secretFile));
        Receiver receiver = load(file).find("default", "kubeapps", "bitnami");
        assertTrue(receiver.verify(gitlab("first"), Instant.now()));

        Files.writeString(secretFile, "second");
        Files.setLastModifiedTime(secretFile, FileTime.from(Instant.now().plusSeconds(5)));

        assertTrue(receiver.verify(gitlab("second"), Instant.now()));
        assertFalse(receiver.verify(gitlab("first"), Instant.now()));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{name: r, type: bitbucket, namespace: kubeapps, repository: bitnami, secrets: [x]}|receivers[0] (\"r\") has unknown type \"bitbucket\"",
            "{name: r, type: github, namespace: kubeapps, repository: bitnami}|receivers[0] (\"r\") has no secret",
            "{name: r, type: github, namespace: kubeapps, repository: bitnami, secrets: []}|receivers[0] (\"r\") has no secret",
            "{name: r, type: github, namespace: kubeapps, repository: bitnami, secrets: [env:NOT_SET]}|receivers[0] (\"r\"): secret variable NOT_SET is not set",
            "{name: r, type: github, namespace: kubeapps, repository: bitnami, secrets: [file:/no/such/file]}|receivers[0] (\"r\"): secret file /no/such/file cannot be read",
            "{name: r, type: github, cluster: mars, namespace: kubeapps, repository: bitnami, secrets: [x]}|receivers[0] (\"r\") names cluster \"mars\", which is not configured",
            "{name: r, type: github, cluster: edge, namespace: kubeapps, repository: bitnami, secrets: [x]}|receivers[0] (\"r\") refreshes on cluster \"edge\", for which the service has no credential",
            "{name: r, type: github, namespace: Kubeapps, repository: bitnami, secrets: [x]}|receivers[0] (\"r\") needs a namespace that is a DNS-1123 label",
            "{name: r, type: github, namespace: kubeapps, repository: ../x, secrets: [x]}|receivers[0] (\"r\") needs a repository name that is a DNS-1123 subdomain",
            "{name: r, type: generic-hmac, algorithm: md5, namespace: kubeapps, repository: bitnami, secrets: [x]}|receivers[0] (\"r\") has algorithm \"md5\"",
            "{name: r, type: github, algorithm: sha512, namespace: kubeapps, repository: bitnami, secrets: [x]}|receivers[0] (\"r\"): only generic-hmac receivers take an algorithm",
            "{name: r, type: standard-webhooks, namespace: kubeapps, repository: bitnami, secrets: [whsec_%%%]}|receivers[0] (\"r\"): a standard-webhooks secret must be base64",
            "{type: github, namespace: kubeapps, repository: bitnami, secrets: [x]}|receivers[0] has no name",
            "{name: r, type: github, namespace: kubeapps, repository: bitnami, secrets: [x], colour: blue}|cannot read receivers config",
    })
    void refusesABrokenEntryNamingIt(String entry, String message, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("receivers.yaml"), "receivers:\n  - " + entry + "\n");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> load(file));
        assertTrue(error.getMessage().contains(message), error.getMessage());
        assertTrue(error.getMessage().contains(file.toString()), "names the file: " + error.getMessage());
    }

    @Test
    void refusesTwoReceiversForOneRepository(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("receivers.yaml"), """
                receivers:
                  - {name: a, type: github, namespace: kubeapps, repository: bitnami, secrets: [x]}
                  - {name: b, type: harbor, cluster: default, namespace: kubeapps, repository: bitnami, secrets: [y]}
                """);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> load(file));
        assertEquals(file + ": receivers[1] (\"b\") is for the same repository as \"a\"", error.getMessage());
    }

    @Test
    void neverQuotesTheFileInItsErrors(@TempDir Path dir) throws Exception {
        Path scalar = Files.writeString(dir.resolve("scalar.yaml"),
                "receivers:\n  - {name: r, type: github, namespace: kubeapps, repository: bitnami, secrets: s3cr3t-value}\n");
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "receivers:\n  - secrets: [s3cr3t-value\n  - @x\n");
        Path empty = Files.writeString(dir.resolve("empty-secret"), "\n");
        Path emptySecret = Files.writeString(dir.resolve("empty.yaml"),
                "receivers:\n  - {name: r, type: gitlab, namespace: kubeapps, repository: bitnami, secrets: [\"file:"
                        + empty + "\"]}\n");

        for (Path file : List.of(scalar, broken)) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> load(file));
            assertFalse(error.getMessage().contains("s3cr3t"), error.getMessage());
            assertNull(error.getCause(), "a cause would be logged with its message");
            assertTrue(error.getMessage().contains("line"), error.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(emptySecret)).getMessage()
                .endsWith("is empty"));
    }

    @Test
    void aSecretThatBecameUnusableVerifiesNothingInsteadOfFailing(@TempDir Path dir) throws Exception {
        Path secretFile = Files.writeString(dir.resolve("token"), "first");
        Path file = Files.writeString(dir.resolve("receivers.yaml"),
                "receivers:\n  - {name: r, type: github, namespace: kubeapps, repository: bitnami, secrets: [\"file:"
                        + secretFile + "\"]}\n");
        Receiver receiver = load(file).find("default", "kubeapps", "bitnami");
        Files.delete(secretFile);

        assertFalse(receiver.verify(ReceiverType.Request.of(name -> "sha256=" + "00".repeat(32), new byte[0]),
                Instant.now()));
    }

    @Test
    void refusesAFileWithoutAList(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("receivers.yaml"), "receivers: {}\n".getBytes(StandardCharsets.UTF_8));

        assertThrows(IllegalArgumentException.class, () -> load(file));
    }
}
