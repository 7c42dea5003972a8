package dev.apprepo.refresh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * bin/apprepo-refresh, which the image starts and which holds the JVM options, run on a JVM that only prints what
 * it was given: which options a JVM gets, in which order, and when the AOT cache is used.
 */
class LauncherTest {

    private static final String IMAGE_HEAP = "-Xmx64m";
    private static final String IMAGE_GC = "-XX:+UseSerialGC";
    /** In the directory the launcher runs in: a shell would expand -Xlog:gc* to it. */
    private static final String A_FILE_AN_OPTION_COULD_MATCH = "-Xlog:gcfile";

    /** A build's cache: trained after the build, or left from an earlier one. */
    enum Cache {
        NONE, TRAINED_ON_THIS_BUILD, OLDER_THAN_THE_BUILD
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("the image's options on JDK 17", 17, Cache.NONE, Map.of(),
                        List.of(IMAGE_GC, IMAGE_HEAP), List.of("-XX:AOTCache")),
                arguments("JDK 17 never gets the cache", 17, Cache.TRAINED_ON_THIS_BUILD, Map.of(),
                        List.of(IMAGE_HEAP), List.of("-XX:AOTCache")),
                arguments("JDK 25 takes the cache trained on this build", 25, Cache.TRAINED_ON_THIS_BUILD, Map.of(),
                        List.of(IMAGE_GC, IMAGE_HEAP, "-XX:AOTCache="), List.of()),
                arguments("JDK 25 without the cache of this build", 25, Cache.OLDER_THAN_THE_BUILD, Map.of(),
                        List.of(IMAGE_HEAP), List.of("-XX:AOTCache")),
                arguments("JAVA_OPTS_APPEND comes after the image's options", 17, Cache.NONE,
                        Map.of("JAVA_OPTS_APPEND", "-Xmx96m -XX:+ExitOnOutOfMemoryError"),
                        List.of(IMAGE_GC, IMAGE_HEAP, "-Xmx96m", "-XX:+ExitOnOutOfMemoryError"), List.of()),
                arguments("GC_CONTAINER_OPTIONS replaces the collector", 17, Cache.NONE,
                        Map.of("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC"),
                        List.of("-XX:+UseParallelGC", IMAGE_HEAP), List.of(IMAGE_GC)),
                arguments("an option is never a file pattern", 17, Cache.NONE, Map.of("JAVA_OPTS_APPEND", "-Xlog:gc*"),
                        List.of(IMAGE_HEAP, "-Xlog:gc*"), List.of(A_FILE_AN_OPTION_COULD_MATCH)));
    }

    /**
     * present: options the JVM gets, in this order (an entry ending in = matches an option it starts); absent:
     * prefixes no option may start with.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theJvmGetsTheImagesOptions(String name, int featureVersion, Cache cache, Map<String, String> environment,
            List<String> present, List<String> absent) throws Exception {
        // under target/, not the system's temporary directory, which may not let a script run
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "launcher-test")), "run")
                .toAbsolutePath();
        Files.createFile(dir.resolve(A_FILE_AN_OPTION_COULD_MATCH));
        Path app = build(dir, cache);
        List<String> arguments = launch(dir, jvm(dir, featureVersion), app, environment);

        assertEquals(List.of("-jar", app.resolve("quarkus-run.jar").toString(), "--an-argument"),
                arguments.subList(arguments.size() - 3, arguments.size()), "the application and its arguments last");
        List<String> options = arguments.subList(0, arguments.size() - 3);
        int previous = -1;
        for (String expected : present) {
            int at = indexOf(options, expected);
            assertTrue(at > previous, expected + " after the options before it in " + options);
            previous = at;
        }
        for (String prefix : absent) {
            assertFalse(options.stream().anyMatch(option -> option.startsWith(prefix)), prefix + " in " + options);
        }
        if (cache == Cache.TRAINED_ON_THIS_BUILD && featureVersion >= 25) {
            assertTrue(options.contains("-XX:AOTCache=" + app.resolve("app.aot")), options.toString());
        }
    }

    private static int indexOf(List<String> options, String expected) {
        for (int i = 0; i < options.size(); i++) {
            if (expected.endsWith("=") ? options.get(i).startsWith(expected) : options.get(i).equals(expected)) {
                return i;
            }
        }
        return -1;
    }

    /** A JAVA_HOME whose java prints its arguments, a line each. */
    private static Path jvm(Path dir, int featureVersion) throws IOException {
        Path home = Files.createDirectories(dir.resolve("jdk-" + featureVersion));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + featureVersion + ".0.1\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private static Path build(Path dir, Cache cache) throws IOException {
        Path app = Files.createDirectories(dir.resolve("quarkus-app"));
        Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "");
        Instant built = Instant.parse("2026-01-01T00:00:00Z");
        Files.setLastModifiedTime(jar, FileTime.from(built));
        if (cache != Cache.NONE) {
            Path aot = Files.writeString(app.resolve("app.aot"), "");
            Files.setLastModifiedTime(aot, FileTime.from(
                    cache == Cache.TRAINED_ON_THIS_BUILD ? built.plusSeconds(60) : built.minusSeconds(60)));
        }
        return app;
    }

    private static List<String> launch(Path dir, Path javaHome, Path app, Map<String, String> environment)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of("bin/apprepo-refresh").toAbsolutePath().toString(),
                "--an-argument").directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeAll(List.of("JAVA_OPTS_APPEND", "GC_CONTAINER_OPTIONS"));
        builder.environment().putAll(Map.of("JAVA_HOME", javaHome.toString(), "APPREPO_REFRESH_APP", app.toString()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return output.lines().toList();
    }
}
