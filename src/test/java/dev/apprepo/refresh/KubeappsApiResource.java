package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.apprepo.refresh.kubernetes.Cluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs the service's tests against a {@link KubeappsApi} of their own, named as the cluster "default" of a clusters
 * file, as the service is configured in front of a real Kubeapps. The test gets the API in its field annotated
 * {@link InjectKubeappsApi}.
 */
public class KubeappsApiResource implements QuarkusTestResourceLifecycleManager {

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectKubeappsApi {
    }

    private KubeappsApi api;
    private Path dir;

    @Override
    public Map<String, String> start() {
        api = new KubeappsApi(false);
        try {
            dir = Files.createTempDirectory("kubeapps-api");
            Path clusters = RouteTestSupport.clustersFile(dir, List.of(new Cluster("default", api.url(), null, false)));
            return Map.of("refresh.clusters-config", clusters.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(api,
                new TestInjector.AnnotatedAndMatchesType(InjectKubeappsApi.class, KubeappsApi.class));
    }

    @Override
    public void stop() {
        api.close();
        try {
            Files.deleteIfExists(dir.resolve("clusters.conf"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
