package dev.apprepo.refresh;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test Kubernetes API: the fabric8 mock server in CRUD mode with the AppRepository CRD installed. It records
 * every request, and can play another writer that changes a repository just before one of our PUTs lands.
 */
public final class KubeappsApi implements AutoCloseable, AfterAllCallback {

    public static final ResourceDefinitionContext APP_REPOSITORIES = new ResourceDefinitionContext.Builder()
            .withGroup("kubeapps.com").withVersion("v1alpha1").withPlural("apprepositories")
            .withKind("AppRepository").withNamespaced(true).build();

    /** A PUT as it reached the API. */
    public record ApiCall(String method, String path, String authorization, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CompetingWriterDispatcher dispatcher = new CompetingWriterDispatcher();
    private final KubernetesMockServer server;
    private final KubernetesClient admin;

    public KubeappsApi(boolean https) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, https);
        server.init(InetAddress.getLoopbackAddress(), 0);
        admin = server.createClient();
        installCrd(admin);
    }

    /** Installs the AppRepository CRD, unless it is there already. */
    public static void installCrd(KubernetesClient admin) {
        var crds = admin.apiextensions().v1().customResourceDefinitions();
        if (crds.withName("apprepositories.kubeapps.com").get() == null) {
            crds.resource(load(admin, "/dev/apprepository-crd.yaml", CustomResourceDefinition.class)).create();
        }
    }

    /** (Re)creates the repository, with every kind of field an update must keep. */
    public static GenericKubernetesResource seed(KubernetesClient admin, String namespace, String name) {
        GenericKubernetesResource repository = load(admin, "/apprepository-full.yaml", GenericKubernetesResource.class);
        repository.getMetadata().setNamespace(namespace);
        repository.getMetadata().setName(name);
        var repositories = admin.genericKubernetesResources(APP_REPOSITORIES).inNamespace(namespace);
        repositories.withName(name).delete();
        return repositories.resource(repository).create();
    }

    /**
     * The AppRepository requests a mock server recorded since the last call; the audit Events, created in the
     * background, are left out.
     */
    public static List<RecordedRequest> drainAppRepositoryRequests(KubernetesMockServer server)
            throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            if (request.getPath().contains("/apprepositories")) {
                requests.add(request);
            }
        }
        return requests;
    }

    public static long resyncRequests(KubernetesClient admin, String namespace, String name) {
        GenericKubernetesResource repository = admin.genericKubernetesResources(APP_REPOSITORIES)
                .inNamespace(namespace).withName(name).get();
        Object value = ((Map<?, ?>) repository.getAdditionalProperties().get("spec")).get("resyncRequests");
        return value == null ? 0 : ((Number) value).longValue();
    }

    public String url() {
        return server.url("/").replaceAll("/$", "");
    }

    public GenericKubernetesResource seed(String namespace, String name) {
        return seed(admin, namespace, name);
    }

    public GenericKubernetesResource get(String namespace, String name) {
        return admin.genericKubernetesResources(APP_REPOSITORIES).inNamespace(namespace).withName(name).get();
    }

    public long resyncRequests(String namespace, String name) {
        return resyncRequests(admin, namespace, name);
    }

    /** The next {@code count} PUTs each find the repository changed by another writer just before them. */
    public void competingWrites(int count) {
        dispatcher.written.set(0);
        dispatcher.competingWrites.set(count);
    }

    /**
     * Every AppRepository request that reached the API since the last call, the test's own setup calls excluded
     * (and the audit Events, which are created in the background; see {@link #takeEventCalls()}).
     */
    public List<ApiCall> takeCalls() {
        return take("/apprepositories");
    }

    /** Every Event request that reached the API since the last call of this or {@link #takeCalls()}. */
    public List<ApiCall> takeEventCalls() {
        return take("/events");
    }

    private synchronized List<ApiCall> take(String pathPart) {
        List<ApiCall> calls = new ArrayList<>();
        dispatcher.calls.removeIf(call -> call.path().contains(pathPart) && calls.add(call));
        return calls;
    }

    /** As a {@code @RegisterExtension static} field, the API lives as long as the test class. */
    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        admin.close();
        server.destroy();
    }

    // the mock server's own client sends this token
    private static final String ADMIN_AUTHORIZATION = "Bearer secret";

    private static <T> T load(KubernetesClient client, String resource, Class<T> type) {
        try (InputStream in = KubeappsApi.class.getResourceAsStream(resource)) {
            return client.getKubernetesSerialization().unmarshal(in, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tokens the test API refuses the way a real API server does, with its Status body. */
    public enum ApiRefusal {
        EXPIRED("expired-token", null, 401, "Unauthorized", "Unauthorized"),
        FORBIDDEN("forbidden-token", null, 403, "Forbidden",
                "apprepositories.kubeapps.com \"repo\" is forbidden: User \"system:serviceaccount:kubeapps:reader\""
                + " cannot get resource \"apprepositories\" in API group \"kubeapps.com\" in the namespace \"kubeapps\""),
        INVALID("invalid-token", "PUT", 422, "Invalid",
                "AppRepository.kubeapps.com \"repo\" is invalid: spec.url: Required value"),
        /** may refresh, may not create the audit Event */
        NO_EVENTS("no-events-token", "POST", 403, "Forbidden",
                "events is forbidden: User \"system:serviceaccount:kubeapps:refresh\" cannot create resource \"events\"");

        public final String token;
        public final int code;
        public final String reason;
        public final String message;
        private final String method;

        ApiRefusal(String token, String method, int code, String reason, String message) {
            this.token = token;
            this.method = method;
            this.code = code;
            this.reason = reason;
            this.message = message;
        }

        String statusJson() {
            return JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                    .put("message", message).put("reason", reason).put("code", code).toString();
        }

        static ApiRefusal forAuthorization(String authorization) {
            for (ApiRefusal refusal : values()) {
                if (("Bearer " + refusal.token).equals(authorization)) {
                    return refusal;
                }
            }
            return null;
        }
    }

    private static final class CompetingWriterDispatcher extends KubernetesCrudDispatcher {

        final AtomicInteger competingWrites = new AtomicInteger();
        final AtomicInteger written = new AtomicInteger();
        final List<ApiCall> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        CompetingWriterDispatcher() {
            super(List.of());
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            // recorded before the answer goes out, body included (the CRUD handlers consume it)
            byte[] body = request.getBody().readByteArray();
            request.getBody().write(body);
            String authorization = request.getHeader("Authorization");
            if (!ADMIN_AUTHORIZATION.equals(authorization)) {
                calls.add(new ApiCall(request.getMethod(), request.getPath(), authorization,
                        new String(body, StandardCharsets.UTF_8)));
            }
            ApiRefusal refusal = ApiRefusal.forAuthorization(request.getHeader("Authorization"));
            if (refusal != null && (refusal.method == null || refusal.method.equals(request.getMethod()))) {
                return new MockResponse().setResponseCode(refusal.code).setBody(refusal.statusJson());
            }
            return super.dispatch(request);
        }

        @Override
        public MockResponse handleUpdate(RecordedRequest request) {
            if (competingWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                writeAsAnotherClient(request.getPath());
            }
            return super.handleUpdate(request);
        }

        private void writeAsAnotherClient(String path) {
            try {
                MockResponse current = handleGet(path);
                ObjectNode repository = (ObjectNode) JSON.readTree(current.getBody().readUtf8());
                ((ObjectNode) repository.with("metadata").with("labels"))
                        .put("competing-writer", String.valueOf(written.incrementAndGet()));
                byte[] body = JSON.writeValueAsBytes(repository);
                super.handleUpdate(new RecordedRequest("HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.PUT, path,
                        io.fabric8.mockwebserver.http.Headers.builder().build(), new Buffer(body)));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
