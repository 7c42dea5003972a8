package dev.apprepo.refresh.dev;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * An in-memory Kubernetes API for {@code ./mvnw quarkus:dev}, seeded with the AppRepository CRD and a sample
 * repository. It accepts any token, so it exists only in dev builds: the bean is removed from every other build
 * profile, and its library is a provided dependency that the packaged service does not contain.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class EmbeddedKubernetesApi {

    private static final Logger LOG = Logger.getLogger(EmbeddedKubernetesApi.class);
    private static final ResourceDefinitionContext APP_REPOSITORIES = new ResourceDefinitionContext.Builder()
            .withGroup("kubeapps.com").withVersion("v1alpha1").withPlural("apprepositories").withKind("AppRepository")
            .withNamespaced(true).build();

    @ConfigProperty(name = "quarkus.kubernetes-client.api-server-url")
    URI apiServerUrl;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int httpPort;

    private KubernetesMockServer server;

    void start(@Observes @Priority(1) StartupEvent event) throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        int port = apiServerUrl.getPort();
        server.init(InetAddress.getLoopbackAddress(), port);
        try (KubernetesClient admin = server.createClient()) {
            admin.apiextensions().v1().customResourceDefinitions().resource(load("apprepository-crd.yaml",
                    CustomResourceDefinition.class, admin)).create();
            admin.genericKubernetesResources(APP_REPOSITORIES).inNamespace("kubeapps")
                    .resource(load("sample-apprepository.yaml", GenericKubernetesResource.class, admin)).create();
        }
        LOG.infof("""
                Embedded Kubernetes API (dev mode only, accepts any token) on http://localhost:%d
                  with AppRepository kubeapps/bitnami. Refresh it:
                  curl -i -X POST -H 'Authorization: Bearer dev-token' \\
                    http://localhost:%d/api/v1/clusters/default/namespaces/kubeapps/apprepositories/bitnami/refresh""",
                port, httpPort);
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.destroy();
        }
    }

    private static <T> T load(String name, Class<T> type, KubernetesClient client) throws Exception {
        try (InputStream in = EmbeddedKubernetesApi.class.getResourceAsStream("/dev/" + name)) {
            return client.getKubernetesSerialization().unmarshal(in, type);
        }
    }
}
