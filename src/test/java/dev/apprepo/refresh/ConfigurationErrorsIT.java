package dev.apprepo.refresh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service, started as {@code java -jar} with a configuration it cannot run with: it exits with one line
 * that says what to fix, where, and nothing else.
 */
class ConfigurationErrorsIT {

    /** A broken setting, the file it names (written first, if any), and what the one line must say. */
    record Case(String name, String variable, String file, String content, String expected) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> brokenConfigurations() {
        return Stream.of(
                new Case("clusters file missing", "REFRESH_CLUSTERS_CONFIG", "missing.conf", null,
                        "cannot read clusters config %s: no such file"),
                new Case("two clusters of one name", "REFRESH_CLUSTERS_CONFIG", "clusters.conf",
                        "[{\"name\": \"a\"}, {\"name\": \"a\"}]",
                        "%s: clusters config entry 1 (\"a\") repeats a cluster name"),
                new Case("clusters file not a list", "REFRESH_CLUSTERS_CONFIG", "clusters.conf", "{\"name\": \"a\"}",
                        "cannot read clusters config %s: not the expected structure"),
                new Case("receiver of an unknown type", "REFRESH_RECEIVERS_CONFIG", "receivers.yaml", """
                        receivers:
                          - {name: r, type: bitbucket, namespace: kubeapps, repository: x, secrets: [s3cret-value]}
                        """, "%s: receivers[0] (\"r\") has unknown type \"bitbucket\""),
                new Case("duration in words", "REFRESH_API_TIMEOUT", null, "ten seconds",
                        "refresh.api-timeout (REFRESH_API_TIMEOUT) is \"ten seconds\": use a duration"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigurations")
    void stopsWithOneLineNamingTheFileAndTheEntry(Case broken, @TempDir Path dir) throws Exception {
        String value = broken.content();
        if (broken.file() != null) {
            Path file = dir.resolve(broken.file());
            if (broken.content() != null) {
                Files.writeString(file, broken.content());
            }
            value = file.toString();
        }
        ProcessBuilder service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/quarkus-app/quarkus-run.jar").redirectErrorStream(true);
        service.environment().putAll(Map.of(broken.variable(), value, "QUARKUS_HTTP_PORT", "0"));
        Process process = service.start();

        // a guard against a service that never stops, not a measure of speed
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the service did not stop");
        List<String> output = output(process);
        assertEquals(1, process.exitValue(), String.join("\n", output));
        assertEquals(1, output.size(), "one line, and no stack trace: " + String.join("\n", output));
        assertTrue(output.get(0).startsWith(broken.expected().formatted(value)), output.get(0));
        assertFalse(output.get(0).contains("s3cret"), "never the content of the file");
    }

    private static List<String> output(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).toList();
    }
}
