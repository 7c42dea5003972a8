package dev.apprepo.refresh;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.apprepo.refresh.support.Durations;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every manifest parses into the Kubernetes model with no field the model does not know, and says what it must. */
class DeployManifestsTest {

    private static final Path KUBERNETES = Path.of("deploy/kubernetes");
    private static final Path CAMEL_K = Path.of("deploy/camel-k");
    private static final Path KAMELET = Path.of("kamelet/apprepository-refresh-action.kamelet.yaml");
    private static final Path HORIZONTAL_POD_AUTOSCALER = KUBERNETES.resolve("optional/horizontalpodautoscaler.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static List<HasMetadata> kubernetesResources() throws IOException {
        List<HasMetadata> resources = new ArrayList<>();
        for (Path file : manifestFiles()) {
            for (String document : Files.readString(file).split("(?m)^---$")) {
                if (document.lines().anyMatch(line -> line.startsWith("kind:"))) {
                    Object parsed = SERIALIZATION.unmarshal(document);
                    assertTrue(
                            parsed instanceof HasMetadata
                                    && !(parsed instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource),
                            file + ": not a Kubernetes kind: " + parsed.getClass());
                    assertNoUnknownFields(parsed, file + " " + ((HasMetadata) parsed).getKind());
                    resources.add((HasMetadata) parsed);
                }
            }
        }
        return resources;
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(file -> file.toString().endsWith(".yaml"))
                    .filter(file -> !file.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        }
    }

    /** The model keeps fields it does not know aside: any there is a misspelt or misplaced field. */
    private static void assertNoUnknownFields(Object value, String where) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum) {
            return;
        }
        if (value instanceof Collection<?> items) {
            items.forEach(item -> assertNoUnknownFields(item, where));
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.values().forEach(item -> assertNoUnknownFields(item, where));
            return;
        }
        if (!(value instanceof KubernetesResource) && !value.getClass().getPackageName().startsWith("io.fabric8")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object property;
            try {
                property = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (property instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
                    fail(where + " has fields the Kubernetes model does not know: " + unknown.keySet() + " in "
                            + value.getClass().getSimpleName());
                }
            } else {
                assertNoUnknownFields(property, where);
            }
        }
    }

    @Test
    void everyManifestIsValidAndListedInTheKustomization() throws IOException {
        List<HasMetadata> resources = kubernetesResources();
        assertTrue(resources.size() >= 15, "resources: " + resources.size());

        JsonNode kustomization = YAML.readTree(KUBERNETES.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(resource -> listed.add(resource.asText()));
        Set<String> files = new TreeSet<>(manifestFiles().stream().map(file -> file.getFileName().toString()).toList());
        assertEquals(files, listed);
        for (String kind : List.of("Deployment", "Service", "ServiceAccount", "ClusterRole", "RoleBinding",
                "ConfigMap", "Ingress", "NetworkPolicy", "Secret")) {
            assertTrue(resources.stream().anyMatch(resource -> resource.getKind().equals(kind)), "no " + kind);
        }
    }

    @Test
    void theSendersClusterRoleGrantsExactlyGetAndUpdateOnAppRepositories() throws IOException {
        ClusterRole role = kubernetesResources().stream().filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast).filter(r -> r.getMetadata().getName().equals("apprepositories-refresh"))
                .findFirst().orElseThrow();

        assertEquals(1, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of("kubeapps.com"), rule.getApiGroups());
        assertEquals(List.of("apprepositories"), rule.getResources());
        assertEquals(Set.of("get", "update"), Set.copyOf(rule.getVerbs()));
        assertEquals(2, rule.getVerbs().size());
        assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());
    }

    @Test
    void theServiceRunsLockedDownWithProbesAndLimits() throws IOException {
        Deployment deployment = kubernetesResources().stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).findFirst().orElseThrow();
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);

        assertEquals("apprepo-refresh", pod.getServiceAccountName());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
        assertNotNull(container.getResources().getRequests().get("memory"));
        assertNotNull(container.getResources().getLimits().get("memory"));
        assertNotNull(container.getResources().getLimits().get("cpu"));
        assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", container.getReadinessProbe().getHttpGet().getPath());
        assertTrue(pod.getVolumes().stream().anyMatch(volume -> volume.getEmptyDir() != null),
                "a writable /tmp, the root filesystem being read-only");
    }

    /**
     * The grace period holds the whole of a shutdown: the preStop sleep, the drain delay, the wait for accepted
     * requests, Camel's, the audit Events' and the worker threads' own stop, and a margin for the JVM to exit. The
     * wait covers an update under way and the batch behind it when the API stalls: each a GET and a PUT, each call
     * within twice the API timeout.
     */
    @Test
    void theGracePeriodHoldsTheWholeShutdown() throws IOException {
        Deployment deployment = deployment();
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        Map<String, String> settings = serviceSettings(container);

        Duration preStop = Duration.ofSeconds(container.getLifecycle().getPreStop().getSleep().getSeconds());
        Duration drain = Durations.parse(settings.get("quarkus.shutdown.delay"));
        Duration requests = Durations.parse(settings.get("quarkus.shutdown.timeout"));
        Duration camel = Duration.ofSeconds(Long.parseLong(settings.get("camel.main.shutdown-timeout")));
        Duration threads = Durations.parse(settings.get("quarkus.thread-pool.shutdown-timeout"));
        Duration margin = Duration.ofSeconds(5);
        Duration apiTimeout = RefreshSettings.from(name -> Optional.ofNullable(settings.get(name))).apiTimeout();

        assertEquals("true", settings.get("quarkus.shutdown.delay-enabled"), "readiness goes DOWN on SIGTERM");
        assertTrue(drain.compareTo(Duration.ZERO) > 0, "a drain delay");
        assertTrue(requests.compareTo(apiTimeout.multipliedBy(8)) >= 0,
                "the wait for accepted requests (" + requests + ") covers two updates of an API that stalls");
        Duration idle = Durations.parse(settings.get("quarkus.http.idle-timeout"));
        assertTrue(idle.compareTo(requests) > 0,
                "a connection waiting silently for its refresh (" + requests + ") outlasts the idle timeout " + idle);
        Duration shutdown = preStop.plus(drain).plus(requests).plus(camel).plus(RefreshAudit.CLOSE_TIMEOUT)
                .plus(threads).plus(margin);
        assertTrue(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()).compareTo(shutdown) >= 0,
                "terminationGracePeriodSeconds holds " + shutdown);
        assertEquals(0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(),
                "a rollout keeps every replica until its successor is ready");
    }

    @Test
    void replicasSpreadAcrossNodesAndLeaveOneAtATime() throws IOException {
        Deployment deployment = deployment();
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        var pod = deployment.getSpec().getTemplate().getSpec();

        assertTrue(pod.getTopologySpreadConstraints().stream()
                .anyMatch(spread -> spread.getTopologyKey().equals("kubernetes.io/hostname")
                        && podLabels.entrySet().containsAll(spread.getLabelSelector().getMatchLabels().entrySet())),
                "replicas spread over nodes");

        PodDisruptionBudget budget = kubernetesResources().stream().filter(PodDisruptionBudget.class::isInstance)
                .map(PodDisruptionBudget.class::cast).findFirst().orElseThrow();
        assertEquals(deployment.getMetadata().getNamespace(), budget.getMetadata().getNamespace());
        assertFalse(budget.getSpec().getSelector().getMatchLabels().isEmpty());
        assertTrue(podLabels.entrySet().containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()),
                "the budget selects the Deployment's pods");
        assertTrue(budget.getSpec().getMaxUnavailable().getIntVal() < deployment.getSpec().getReplicas(),
                "an eviction leaves a replica serving");

        Object parsed = SERIALIZATION.unmarshal(Files.readString(HORIZONTAL_POD_AUTOSCALER));
        assertNoUnknownFields(parsed, HORIZONTAL_POD_AUTOSCALER.toString());
        HorizontalPodAutoscaler autoscaler = (HorizontalPodAutoscaler) parsed;
        assertEquals(deployment.getMetadata().getNamespace(), autoscaler.getMetadata().getNamespace());
        assertEquals("Deployment", autoscaler.getSpec().getScaleTargetRef().getKind());
        assertEquals(deployment.getMetadata().getName(), autoscaler.getSpec().getScaleTargetRef().getName());
        assertTrue(autoscaler.getSpec().getMinReplicas() > budget.getSpec().getMaxUnavailable().getIntVal(),
                "the autoscaler never leaves an eviction without a replica");
    }

    private static Deployment deployment() throws IOException {
        return kubernetesResources().stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
    }

    /** application.properties, with what the container's environment sets on top. */
    private static Map<String, String> serviceSettings(Container container) throws IOException {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        Map<String, String> settings = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> settings.put(name, properties.getProperty(name).strip()));
        for (String name : List.copyOf(settings.keySet())) {
            String variable = name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            container.getEnv().stream().filter(env -> env.getName().equals(variable)).findFirst()
                    .ifPresent(env -> settings.put(name, env.getValue()));
        }
        container.getEnv().stream().filter(env -> env.getName().equals("REFRESH_API_TIMEOUT")).findFirst()
                .ifPresent(env -> settings.put("refresh.api-timeout", env.getValue()));
        return settings;
    }

    /** bench/run measures the JVM as the Deployment runs it; the image must run the same one on its own. */
    @Test
    void theDeploymentRunsTheJvmOfTheImage() throws IOException {
        Map<String, String> image = new HashMap<>();
        var env = Pattern.compile("^ENV (\\w+)=\"?([^\"]*)\"?$");
        for (String line : Files.readAllLines(Path.of("src/main/docker/Dockerfile.jvm"))) {
            var matcher = env.matcher(line);
            if (matcher.matches()) {
                image.put(matcher.group(1), matcher.group(2));
            }
        }
        Container container = kubernetesResources().stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> deployed = new HashMap<>();
        container.getEnv().forEach(variable -> deployed.put(variable.getName(), variable.getValue()));

        assertTrue(image.get("JAVA_OPTS_APPEND").contains("-Xmx"), "the image sets the heap itself");
        for (String option : image.get("JAVA_OPTS_APPEND").split(" ")) {
            assertTrue(List.of(deployed.get("JAVA_OPTS_APPEND").split(" ")).contains(option), option);
        }
        assertEquals(image.get("GC_CONTAINER_OPTIONS"), deployed.get("GC_CONTAINER_OPTIONS"));
    }

    @Test
    void camelKResourcesUseTheProjectsKameletAndRoutes() throws IOException {
        JsonNode kamelet = YAML.readTree(KAMELET.toFile());
        JsonNode properties = kamelet.at("/spec/definition/properties");

        JsonNode pipe = YAML.readTree(CAMEL_K.resolve("pipe.yaml").toFile());
        assertEquals("camel.apache.org/v1", pipe.path("apiVersion").asText());
        assertEquals("Pipe", pipe.path("kind").asText());
        JsonNode step = pipe.at("/spec/steps/0");
        assertEquals(kamelet.at("/metadata/name").asText(), step.at("/ref/name").asText());
        step.path("properties").fieldNames()
                .forEachRemaining(name -> assertTrue(properties.has(name), "the kamelet has no property " + name));
        assertTrue(step.at("/properties/token").asText().startsWith("{{secret:"), "the token comes from a Secret");

        String configuration = "camel.main.configuration-classes=" + RefreshCamelConfiguration.class.getName();
        assertTrue(pipe.at("/metadata/annotations").path("trait.camel.apache.org/camel.properties").asText()
                .contains(configuration), "the Pipe binds the project's parts");

        JsonNode integration = YAML.readTree(CAMEL_K.resolve("integration.yaml").toFile());
        assertTrue(integration.at("/spec/traits/camel/properties").toString().contains(configuration),
                "the Integration binds the project's parts");
        assertEquals("Integration", integration.path("kind").asText());
        for (JsonNode source : integration.at("/spec/sources")) {
            assertTrue(Files.exists(Path.of("routes").resolve(source.path("contentKey").asText())),
                    "the Integration runs a file of routes/: " + source);
        }
    }

    @Test
    void theKameletFollowsTheCatalogsConventions() throws IOException {
        JsonNode kamelet = YAML.readTree(KAMELET.toFile());

        assertEquals("camel.apache.org/v1", kamelet.path("apiVersion").asText());
        assertEquals("Kamelet", kamelet.path("kind").asText());
        String name = kamelet.at("/metadata/name").asText();
        assertEquals(name + ".kamelet.yaml", KAMELET.getFileName().toString());
        assertTrue(name.endsWith("-action"));
        assertEquals("action", kamelet.at("/metadata/labels/camel.apache.org~1kamelet.type").asText());
        for (String annotation : List.of("camel.apache.org/kamelet.support.level", "camel.apache.org/catalog.version",
                "camel.apache.org/kamelet.icon", "camel.apache.org/provider", "camel.apache.org/kamelet.group")) {
            assertFalse(kamelet.at("/metadata/annotations").path(annotation).asText().isBlank(), annotation);
        }
        JsonNode definition = kamelet.at("/spec/definition");
        assertFalse(definition.path("title").asText().isBlank());
        assertFalse(definition.path("description").asText().isBlank());
        assertEquals("object", definition.path("type").asText());
        definition.path("properties").fields().forEachRemaining(property -> {
            for (String field : List.of("title", "description", "type")) {
                assertFalse(property.getValue().path(field).asText().isBlank(), property.getKey() + " has no " + field);
            }
        });
        JsonNode token = definition.at("/properties/token");
        assertEquals("password", token.path("format").asText());
        assertTrue(token.path("x-descriptors").toString().contains("urn:camel:group:credentials"));
        assertTrue(kamelet.at("/spec/dependencies").toString().contains("camel:kubernetes"));
        assertEquals("kamelet:source", kamelet.at("/spec/template/from/uri").asText());
    }
}
