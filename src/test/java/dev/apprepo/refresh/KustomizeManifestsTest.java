package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes is the Helm chart rendered with deploy/helm/kustomize-values.yaml, one file per template, and
 * never edited by hand: this test fails when a file differs from a fresh rendering, and with
 * {@code -Dmanifests.write=true} writes the rendering instead. namespace.yaml is kept by hand: the chart creates no
 * namespace, as Helm leaves that to {@code --create-namespace}.
 */
class KustomizeManifestsTest {

    static final Path KUBERNETES = Path.of("deploy/kubernetes");
    static final Path VALUES = Path.of("deploy/helm/kustomize-values.yaml");
    private static final Path AUTOSCALING = Path.of("src/test/resources/helm/autoscaling.yaml");
    private static final String AUTOSCALER = "optional/horizontalpodautoscaler.yaml";
    private static final String NAMESPACE = "namespace.yaml";
    private static final Pattern SOURCE = Pattern.compile("(?m)^# Source: apprepo-refresh/templates/(\\S+)\\n");
    // what only Helm manages: kubectl apply -k is not Helm, and these would say it is
    private static final Pattern HELM_ONLY_LABELS = Pattern
            .compile("(?m)^\\s+(helm\\.sh/chart|app\\.kubernetes\\.io/managed-by): .*\\n");
    private static final String HEADER = """
            # Rendered from deploy/helm/apprepo-refresh with deploy/helm/kustomize-values.yaml: change those, then
            # ./mvnw test -Dtest=KustomizeManifestsTest -Dmanifests.write=true (docs/deployment.md)
            """;

    private static final Helm HELM = HelmChart.helm();

    /** File of deploy/kubernetes -> its content, as the chart renders it. */
    static Map<String, String> render() {
        Map<String, String> files = split(HelmChart.template(HELM, List.of(VALUES)));
        String autoscaler = split(HelmChart.template(HELM, List.of(VALUES, AUTOSCALING)))
                .get("horizontalpodautoscaler.yaml");
        files.put(AUTOSCALER, autoscaler);
        List<String> resources = new ArrayList<>(List.of(NAMESPACE));
        files.keySet().stream().filter(file -> !file.equals(AUTOSCALER)).forEach(resources::add);
        files.put("kustomization.yaml", kustomization(resources));
        return files;
    }

    /** The rendering's documents grouped by the template they come from, in Helm's order of installation. */
    private static Map<String, String> split(String rendering) {
        Map<String, List<String>> documents = new LinkedHashMap<>();
        for (String document : rendering.split("(?m)^---\\n")) {
            Matcher source = SOURCE.matcher(document);
            if (source.find()) {
                String body = HELM_ONLY_LABELS.matcher(document.substring(source.end())).replaceAll("");
                documents.computeIfAbsent(source.group(1), file -> new ArrayList<>()).add(body.strip() + "\n");
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        documents.forEach((file, parts) -> files.put(file, HEADER + String.join("---\n", parts)));
        return files;
    }

    private static String kustomization(List<String> resources) {
        String tag;
        try {
            tag = new ObjectMapper(new YAMLFactory()).readTree(HelmChart.CHART.resolve("Chart.yaml").toFile())
                    .path("appVersion").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return """
                # kubectl apply -k deploy/kubernetes
                # The service in namespace apprepo-refresh, and the RBAC of the Kubeapps how-to in namespace kubeapps.
                # Rendered from the Helm chart (deploy/helm/apprepo-refresh) with deploy/helm/kustomize-values.yaml, but
                # for namespace.yaml. Set the image with: kustomize edit set image apprepo-refresh=<registry>/<name>:<tag>
                # optional/horizontalpodautoscaler.yaml is an autoscaler to add (docs/deployment.md).
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                """
                + resources.stream().map(file -> "  - " + file + "\n").collect(Collectors.joining())
                + """
                        images:
                          - name: apprepo-refresh
                            newName: apprepo-refresh
                            newTag: "%s"
                        """.formatted(tag);
    }

    @Test
    void theManifestsAreTheChartsRendering() throws IOException {
        Map<String, String> rendered = render();
        if (Boolean.getBoolean("manifests.write")) {
            write(rendered);
        }
        Set<String> committed = committedFiles();
        committed.remove(NAMESPACE);
        assertEquals(new TreeSet<>(rendered.keySet()), committed,
                "deploy/kubernetes holds what the chart renders: run with -Dmanifests.write=true");
        for (Map.Entry<String, String> file : rendered.entrySet()) {
            assertEquals(file.getValue(), Files.readString(KUBERNETES.resolve(file.getKey())),
                    file.getKey() + " differs from the chart's rendering: run with -Dmanifests.write=true");
        }
    }

    @Test
    void theRenderingCarriesWhatTheManifestsMustSay() {
        Map<String, String> rendered = render();
        String manifests = rendered.entrySet().stream().filter(file -> !file.getKey().equals("kustomization.yaml"))
                .map(Map.Entry::getValue).collect(Collectors.joining("---\n"));
        Manifests parsed = Manifests.parse(manifests, "rendering of " + VALUES);
        parsed.assertServiceIsDeployedAsItMustBe();
        assertTrue(parsed.all().stream().allMatch(resource -> resource.getMetadata().getLabels() == null
                || !resource.getMetadata().getLabels().containsKey("app.kubernetes.io/managed-by")));
    }

    private static void write(Map<String, String> rendered) throws IOException {
        for (String stale : committedFiles()) {
            if (!stale.equals(NAMESPACE) && !rendered.containsKey(stale)) {
                Files.delete(KUBERNETES.resolve(stale));
            }
        }
        for (Map.Entry<String, String> file : rendered.entrySet()) {
            Path path = KUBERNETES.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
    }

    private static Set<String> committedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(KUBERNETES)) {
            return files.filter(Files::isRegularFile).map(file -> KUBERNETES.relativize(file).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
