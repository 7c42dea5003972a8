package dev.apprepo.refresh;

import java.nio.file.Path;
import java.util.List;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

/** The chart of deploy/helm, rendered by Helm's own code (helm-java runs it in-process). */
final class HelmChart {

    static final Path CHART = Path.of("deploy/helm/apprepo-refresh");
    static final String RELEASE = "apprepo-refresh";
    static final String NAMESPACE = "apprepo-refresh";

    private HelmChart() {
    }

    static Helm helm() {
        return new Helm(CHART);
    }

    /** helm template apprepo-refresh deploy/helm/apprepo-refresh --namespace apprepo-refresh -f each file. */
    static String template(Helm helm, List<Path> valuesFiles) {
        TemplateCommand template = helm.template().withName(RELEASE).withNamespace(NAMESPACE);
        for (Path values : valuesFiles) {
            template = template.withValuesFile(values.toAbsolutePath());
        }
        return template.call();
    }
}
