package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.kubernetes.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The YAML on Camel's own runner, {@code org.apache.camel.main.KameletMain}, which is what {@code camel run} executes:
 * a JVM of its own with the classpath {@code camel run --dep=mvn:dev.apprepo:apprepo-refresh:<version>} ends up with
 * (Camel's runner, the project's jar and its runtime dependencies, resolved by the build into target/kamelet-main/),
 * the files given as {@code camel run} gives them, and no properties file. Camel's downloads are off, as with
 * {@code camel run --download=false}: everything a run needs is on that classpath, so no run reaches a remote
 * repository, and each test checks in its runner's log that none tried.
 */
class KameletMainIT {

    /** A guard against a runner that never gets ready or never ends, not a measure of speed. */
    private static final Duration GUARD = ServiceInstances.HANG_GUARD;
    private static final Path CLASSPATHS = Path.of("target/kamelet-main");
    private static final Path ROUTES = Path.of("routes");
    private static final Path KAMELETS = Path.of("kamelet");
    private static final Pattern STARTED = Pattern.compile("Apache Camel \\S+ \\(.*\\) started in");
    private static final String REFRESH = "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/%s/refresh";
    /** What Camel's downloader logs, at debug level, for each attempt to fetch from a remote repository. */
    private static final Pattern DOWNLOADING = Pattern.compile("Downloading: \\S+ from: ");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(GUARD).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    private final List<Runner> started = new ArrayList<>();
    private String testName;

    /** Kills the runners, then checks that none of them tried to fetch anything from a remote repository. */
    @AfterEach
    void killRunnersAndCheckTheyStayedOffline() {
        started.forEach(runner -> ChildProcesses.kill(runner.process));
        for (Runner runner : started) {
            String log = runner.log();
            assertTrue(log.contains("MavenDownloader in offline mode"), log);
            assertFalse(DOWNLOADING.matcher(log).find(), log);
        }
    }

    /**
     * Other runtimes take the plain jar as a dependency: the service's settings in it would override theirs (the
     * routes a runtime loads, Camel's start-up on Camel K).
     */
    @Test
    void theProjectJarCarriesNoSettingsOfTheService() throws IOException {
        try (JarFile jar = new JarFile(projectJar())) {
            assertNull(jar.getEntry("application.properties"));
            assertNotNull(jar.getEntry("dev/apprepo/refresh/RefreshCamelConfiguration.class"));
        }
    }

    @Test
    void routesAnswerAsTheServiceDoes(TestInfo test) throws Exception {
        testName = test.getTestMethod().orElseThrow().getName();
        api.seed("kubeapps", "bitnami");
        Runner runner = start(true, files(ROUTES, KAMELETS), Map.of("REFRESH_CLUSTERS_CONFIG", clustersFile()));
        api.takeAllCalls();

        HttpResponse<String> refreshed = runner.post(REFRESH.formatted("bitnami"), "Bearer caller-token");
        assertEquals(200, refreshed.statusCode(), refreshed.body());
        assertEquals(1, JSON.readTree(refreshed.body()).at("/appRepository/spec/resyncRequests").asLong());
        assertEquals(1, api.resyncRequests("kubeapps", "bitnami"));
        List<ApiCall> calls = api.takeCalls();
        String path = "/apis/kubeapps.com/v1alpha1/namespaces/kubeapps/apprepositories/bitnami";
        assertEquals(List.of("GET " + path, "PUT " + path),
                calls.stream().map(call -> call.method() + " " + call.path()).toList());
        calls.forEach(call -> assertEquals("Bearer caller-token", call.authorization(), call.toString()));

        HttpResponse<String> noToken = runner.post(REFRESH.formatted("bitnami"), null);
        assertStatus(noToken, 401, "Unauthorized");
        assertEquals(List.of(), api.takeCalls());

        HttpResponse<String> unknown = runner.post(REFRESH.formatted("missing"), "Bearer caller-token");
        assertStatus(unknown, 404, "NotFound");
        assertTrue(JSON.readTree(unknown.body()).path("message").asText().contains("missing"), unknown.body());
        assertEquals(1, api.resyncRequests("kubeapps", "bitnami"));
    }

    @Test
    void exampleRefreshesWithTheTokenOfItsEnvironment(TestInfo test) throws Exception {
        testName = test.getTestMethod().orElseThrow().getName();
        api.seed("kubeapps", "bitnami");
        Runner runner = start(true, files(Path.of("examples"), KAMELETS),
                Map.of("REFRESH_CLUSTERS_CONFIG", clustersFile(), "APPREPO_REFRESH_TOKEN", "example-token"));
        api.takeAllCalls();

        HttpResponse<String> answer = runner.post("/harbor", null);

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(1, api.resyncRequests("kubeapps", "bitnami"));
        List<ApiCall> calls = api.takeCalls();
        assertEquals(2, calls.size(), calls::toString);
        calls.forEach(call -> assertEquals("Bearer example-token", call.authorization(), call.toString()));
    }

    /**
     * Where nothing binds the project's parts, Camel's own kubernetes-custom-resources is the one in place: without the
     * project's jar, or with it but in a route that does not declare the parts. The kamelet refuses to start, naming
     * the option that component lacks, and nothing reaches the API, though a kubeconfig with a token for it is at
     * hand.
     */
    @ParameterizedTest(name = "with the project''s jar: {0}")
    @ValueSource(booleans = {false, true})
    void kameletRefusesCamelsOwnComponent(boolean withProjectJar, TestInfo test) throws Exception {
        testName = test.getTestMethod().orElseThrow().getName() + "-" + (withProjectJar ? "unbound" : "without-jar");
        Path home = Files.createDirectories(CLASSPATHS.resolve("home"));
        Path kubeconfig = Files.writeString(home.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: test, cluster: {server: "%s"}}]
                users: [{name: test, user: {token: kubeconfig-token}}]
                contexts: [{name: test, context: {cluster: test, user: test, namespace: kubeapps}}]
                current-context: test
                """.formatted(api.url()));
        api.takeAllCalls();

        Runner runner = run(withProjectJar,
                List.of(Path.of("src/test/resources/kamelet-main/stock-component.camel.yaml"),
                        KAMELETS.resolve("apprepository-refresh-action.kamelet.yaml")),
                Map.of("KUBECONFIG", kubeconfig.toAbsolutePath().toString()));

        assertFalse(runner.process.isAlive(), "the runner started:\n" + runner.log());
        assertNotEquals(0, runner.process.exitValue(), runner.log());
        assertTrue(runner.log().contains("Unknown parameters=[{callerTokenOnly=true}]"), runner.log());
        assertEquals(List.of(), api.takeAllCalls());
    }

    private static void assertStatus(HttpResponse<String> answer, int code, String reason) throws IOException {
        assertEquals(code, answer.statusCode(), answer.body());
        JsonNode status = JSON.readTree(answer.body());
        assertEquals("Status", status.path("kind").asText(), answer.body());
        assertEquals(code, status.path("code").asInt(), answer.body());
        assertEquals(reason, status.path("reason").asText(), answer.body());
    }

    /** The YAML files of these folders, as the shell expands {@code routes/*.camel.yaml kamelet/*.kamelet.yaml}. */
    private static List<Path> files(Path... folders) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path folder : folders) {
            try (Stream<Path> listed = Files.list(folder)) {
                listed.filter(file -> file.toString().endsWith(".yaml")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static String clustersFile() throws IOException {
        Path dir = Files.createDirectories(CLASSPATHS.resolve("config"));
        return RouteTestSupport.clustersFile(dir, List.of(new Cluster("default", api.url(), null, false)))
                .toAbsolutePath().toString();
    }

    /** Starts the runner and waits until Camel has started. */
    private Runner start(boolean withProjectJar, List<Path> files, Map<String, String> environment) {
        Runner runner = run(withProjectJar, files, environment);
        if (!runner.process.isAlive()) {
            fail("the runner exited with " + runner.process.exitValue() + ":\n" + runner.log());
        }
        return runner;
    }

    /**
     * Launches the runner and waits until Camel has started or the runner has ended. The port is one the system had
     * free a moment before; should another process take it meanwhile, the runner fails and is launched again on
     * another.
     */
    private Runner run(boolean withProjectJar, List<Path> files, Map<String, String> environment) {
        for (int attempt = 1;; attempt++) {
            Runner runner = launch(withProjectJar, files, environment);
            await("Camel started or the runner ended").atMost(GUARD).pollInterval(Duration.ofMillis(100))
                    .until(() -> !runner.process.isAlive() || STARTED.matcher(runner.log()).find());
            if (runner.process.isAlive() || attempt == 3 || !runner.log().contains("Address already in use")) {
                return runner;
            }
        }
    }

    private Runner launch(boolean withProjectJar, List<Path> files, Map<String, String> environment) {
        try {
            Path home = Files.createDirectories(CLASSPATHS.resolve("home"));
            List<String> classpath = new ArrayList<>();
            classpath.add(Files.readString(CLASSPATHS.resolve("camel.classpath")).strip());
            if (withProjectJar) {
                classpath.add(projectJar());
            }
            // without the project's jar, its dependencies still give Camel's own kubernetes component
            classpath.add(Files.readString(CLASSPATHS.resolve("runtime.classpath")).strip());
            int port = freePort();
            String routes = String.join(",", files.stream().map(file -> "file:" + file).toList());
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", String.join(java.io.File.pathSeparator, classpath),
                    "-Duser.home=" + home.toAbsolutePath(),
                    "-Dcamel.main.routesIncludePattern=" + routes,
                    "-Dcamel.server.enabled=true", "-Dcamel.server.port=" + port,
                    "-Dorg.slf4j.simpleLogger.log.org.apache.camel.main.download=debug",
                    "org.apache.camel.main.KameletMain", "-download", "false");
            Path log = CLASSPATHS.resolve(testName + ".log");
            Files.deleteIfExists(log);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Runner runner = new Runner(ChildProcesses.start(builder), port, log);
            started.add(runner);
            return runner;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plain jar of the build, not the Quarkus application: its path comes from the pom. */
    private static String projectJar() {
        String jar = System.getProperty("kamelet-main.project-jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no project jar at kamelet-main.project-jar=" + jar
                    + ": run with ./mvnw verify, which sets it");
        }
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private record Runner(Process process, int port, Path logFile) {

        HttpResponse<String> post(String path, String authorization) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(GUARD).POST(HttpRequest.BodyPublishers.noBody());
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        String log() {
            try {
                return Files.readString(logFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
