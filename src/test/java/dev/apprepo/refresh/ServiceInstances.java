package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.apprepo.refresh.kubernetes.Cluster;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Instances of the packaged service ({@code target/quarkus-app/quarkus-run.jar}), each a process of its own started
 * by bin/apprepo-refresh as the image starts it, with the image's JVM options, on a port of its own, all calling one
 * Kubernetes API (a {@link KubeappsApi}) as their cluster "default": replicas as a Deployment runs them. Each
 * instance's output goes to a file under target/service-instances/. As a {@code @RegisterExtension} field, every instance still running when
 * the test ends is killed, whatever happened.
 */
public final class ServiceInstances implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

    /**
     * How long the tests that start processes wait for anything before they call it a hang: never a measure of
     * speed, and long enough for a machine that runs several builds at once (a start took a minute at a load of 24
     * on two cores).
     */
    public static final Duration HANG_GUARD = Duration.ofMinutes(10);
    private static final Path LOGS = Path.of("target/service-instances");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^\\s]*:(\\d+)");

    private final Supplier<String> apiUrl;
    private final List<Instance> instances = new CopyOnWriteArrayList<>();
    private String testName = "instance";
    private Path clustersFile;

    public ServiceInstances(KubeappsApi api) {
        this(api::url);
    }

    /** @param apiUrl the address of the Kubernetes API the instances call, asked for when the first one starts */
    public ServiceInstances(Supplier<String> apiUrl) {
        this.apiUrl = apiUrl;
    }

    /**
     * Starts {@code count} instances side by side and waits until each is ready.
     *
     * @param environment settings on top of the clusters file and the port, as the Deployment's env would give them
     */
    public List<Instance> start(int count, Map<String, String> environment) {
        List<Instance> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instance instance = new Instance(instances.size(), environment);
            instances.add(instance);
            started.add(instance);
            try {
                Files.deleteIfExists(instance.log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            instance.launch();
        }
        started.forEach(Instance::awaitReady);
        return started;
    }

    public Instance start(Map<String, String> environment) {
        return start(1, environment).get(0);
    }

    /** Names the instances' log files, where the instances are not a test's extension. */
    public ServiceInstances named(String name) {
        testName = name;
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        testName = context.getRequiredTestClass().getSimpleName() + "."
                + context.getTestMethod().map(method -> method.getName()).orElse("test");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** Kills every instance still running. */
    @Override
    public void close() {
        instances.forEach(Instance::kill);
        instances.clear();
    }

    private synchronized Path clustersFile() {
        if (clustersFile == null) {
            try {
                Files.createDirectories(LOGS);
                Path dir = Files.createTempDirectory(LOGS, "clusters");
                clustersFile = RouteTestSupport.clustersFile(dir,
                        List.of(new Cluster("default", apiUrl.get(), null, false)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return clustersFile;
    }

    /**
     * One instance: a process on a port the system gave it when it started (a port picked beforehand could be taken
     * by another process meanwhile), which can be stopped with SIGTERM and started again.
     */
    public final class Instance {

        private final int index;
        private final Map<String, String> environment;
        private final Path log;
        private Process process;
        private long logOffset;
        private volatile int port;

        private Instance(int index, Map<String, String> environment) {
            this.index = index;
            this.environment = Map.copyOf(environment);
            this.log = LOGS.resolve(testName + "-" + index + ".log");
        }

        private void launch() {
            // the launcher the image starts, with its JVM options, on the JVM running the tests
            ProcessBuilder builder = new ProcessBuilder("bin/apprepo-refresh").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().keySet().removeAll(List.of("JAVA_OPTS_APPEND", "GC_CONTAINER_OPTIONS"));
            Map<String, String> env = new HashMap<>();
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.put("REFRESH_CLUSTERS_CONFIG", clustersFile().toString());
            env.put("QUARKUS_HTTP_PORT", "0");
            env.putAll(environment);
            builder.environment().putAll(env);
            try {
                Files.createDirectories(LOGS);
                logOffset = Files.exists(log) ? Files.size(log) : 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            port = 0;
            process = ChildProcesses.start(builder);
        }

        /** Waits until /q/health/ready answers UP; fails at once, with the instance's log, if its process ends. */
        public Instance awaitReady() {
            await("instance " + index + " ready").atMost(HANG_GUARD).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            fail("instance " + index + " exited with " + process.exitValue() + ":\n" + log());
                        }
                        if (port == 0) {
                            Matcher listening = LISTENING.matcher(logSinceLaunch());
                            if (!listening.find()) {
                                return false;
                            }
                            port = Integer.parseInt(listening.group(1));
                        }
                        return ready();
                    });
            return this;
        }

        /** Whether /q/health/ready answers 200 (UP) right now. */
        public boolean ready() {
            return healthStatus() == 200;
        }

        /** The HTTP status of /q/health/ready, or -1 when nothing answers. */
        public int healthStatus() {
            try {
                return HTTP.send(HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** Sends SIGTERM, as the kubelet does when the pod is deleted, and returns at once. */
        public void terminate() {
            process.destroy();
        }

        /**
         * Waits until the process has exited and returns its exit code.
         *
         * @param guard a guard against a process that never exits, not a measure of speed
         */
        public int awaitExit(Duration guard) {
            await("instance " + index + " exited").atMost(guard).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive());
            return process.exitValue();
        }

        /** Starts the process again, once it has exited, and waits until it is ready; it may get another port. */
        public Instance restart() {
            if (process.isAlive()) {
                throw new IllegalStateException("instance " + index + " is still running");
            }
            launch();
            return awaitReady();
        }

        public boolean alive() {
            return process.isAlive();
        }

        private void kill() {
            ChildProcesses.kill(process);
        }

        public int port() {
            return port;
        }

        public URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        private String logSinceLaunch() throws IOException {
            byte[] written = Files.readAllBytes(log);
            return new String(written, (int) logOffset, written.length - (int) logOffset, StandardCharsets.UTF_8);
        }

        /** Everything the instance wrote, restarts included. */
        public String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return "instance " + index + " on port " + port;
        }
    }
}
