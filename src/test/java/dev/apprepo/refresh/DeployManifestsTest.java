package dev.apprepo.refresh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every manifest of deploy/kubernetes parses into the Kubernetes model with no field the model does not know, and
 * says what it must (the checks of {@link Manifests}, which every rendering of the Helm chart passes too).
 */
class DeployManifestsTest {

    private static final Path KUBERNETES = Path.of("deploy/kubernetes");
    private static final Path CAMEL_K = Path.of("deploy/camel-k");
    private static final Path KAMELET = Path.of("kamelet/apprepository-refresh-action.kamelet.yaml");
    private static final Path HORIZONTAL_POD_AUTOSCALER = KUBERNETES.resolve("optional/horizontalpodautoscaler.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Manifests manifests() throws IOException {
        return Manifests.read(manifestFiles());
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(file -> file.toString().endsWith(".yaml"))
                    .filter(file -> !file.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        }
    }

    @Test
    void everyManifestIsValidAndListedInTheKustomization() throws IOException {
        List<HasMetadata> resources = manifests().all();
        assertTrue(resources.size() >= 15, "resources: " + resources.size());

        JsonNode kustomization = YAML.readTree(KUBERNETES.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(resource -> listed.add(resource.asText()));
        Set<String> files = new TreeSet<>(manifestFiles().stream().map(file -> file.getFileName().toString()).toList());
        assertEquals(files, listed);
        for (String kind : List.of("Namespace", "Deployment", "Service", "ServiceAccount", "ClusterRole",
                "RoleBinding", "Ingress", "NetworkPolicy", "Secret", "PodDisruptionBudget")) {
            assertTrue(resources.stream().anyMatch(resource -> resource.getKind().equals(kind)), "no " + kind);
        }
    }

    /** kustomize sets the image by its name: the Deployment's must be the one the kustomization names. */
    @Test
    void theKustomizationSetsTheDeploymentsImage() throws IOException {
        JsonNode kustomization = YAML.readTree(KUBERNETES.resolve("kustomization.yaml").toFile());
        String image = manifests().container().getImage();

        assertEquals(1, kustomization.path("images").size());
        assertEquals(image.substring(0, image.indexOf(':')), kustomization.at("/images/0/name").asText());
    }

    @Test
    void theSendersClusterRoleGrantsExactlyGetAndUpdateOnAppRepositories() throws IOException {
        manifests().assertTheSendersClusterRoleGrantsExactlyGetAndUpdateOnAppRepositories("apprepositories-refresh");
    }

    @Test
    void theServiceRunsLockedDownWithProbesAndLimits() throws IOException {
        Manifests manifests = manifests();
        manifests.assertTheServiceRunsLockedDownWithProbesAndLimits();
        assertEquals("apprepo-refresh", manifests.deployment().getSpec().getTemplate().getSpec()
                .getServiceAccountName());
    }

    @Test
    void theGracePeriodHoldsTheWholeShutdown() throws IOException {
        manifests().assertTheGracePeriodHoldsTheWholeShutdown();
    }

    @Test
    void replicasSpreadAcrossNodesAndLeaveOneAtATime() throws IOException {
        Manifests manifests = manifests();
        manifests.assertReplicasSpreadAcrossNodesAndLeaveOneAtATime();
        Manifests withAutoscaler = Manifests.read(
                Stream.concat(manifestFiles().stream(), Stream.of(HORIZONTAL_POD_AUTOSCALER)).toList());
        withAutoscaler.one(HorizontalPodAutoscaler.class);
        withAutoscaler.assertReplicasSpreadAcrossNodesAndLeaveOneAtATime();
    }

    @Test
    void theDeploymentRunsTheJvmOfTheImage() throws IOException {
        Manifests manifests = manifests();
        manifests.assertTheDeploymentRunsTheJvmOfTheImage();
        assertNull(manifests.env("JAVA_OPTS_APPEND"), "the image's options, nothing added");
        assertNull(manifests.env("GC_CONTAINER_OPTIONS"), "the image's collector");
    }

    @Test
    void everythingElseAManifestMustSay() throws IOException {
        manifests().assertServiceIsDeployedAsItMustBe();
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
