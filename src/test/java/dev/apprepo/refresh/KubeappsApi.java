package dev.apprepo.refresh;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test Kubernetes API: the fabric8 mock server in CRUD mode with the AppRepository CRD installed. It records
 * every request, can play another writer that changes a repository just before one of our PUTs lands, and, over
 * plain HTTP, can hold AppRepository updates in flight until the test lets them go, so that a test decides what
 * happens while an update is under way instead of racing it.
 */
public final class KubeappsApi implements AutoCloseable, AfterAllCallback {

    public static final ResourceDefinitionContext APP_REPOSITORIES = new ResourceDefinitionContext.Builder()
            .withGroup("kubeapps.com").withVersion("v1alpha1").withPlural("apprepositories")
            .withKind("AppRepository").withNamespaced(true).build();

    /** A request as it reached the API. */
    public record ApiCall(String method, String path, String authorization, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    // a line for every request it serves is noise in every test's output; the tests read takeCalls() instead
    private static final Logger MOCK_SERVER_LOG = quiet(Logger.getLogger("io.fabric8.mockwebserver"));
    private static final Set<String> HOP_HEADERS = Set.of("content-length", "transfer-encoding", "connection", "host");

    private final CompetingWriterDispatcher dispatcher = new CompetingWriterDispatcher();
    private final KubernetesMockServer server;
    private final KubernetesClient admin;
    private final Vertx vertx;
    private final HttpServer front;
    private final HttpClient toServer;
    /** While updates are held: how to let each of them go; null while they pass. */
    private List<Runnable> held;
    private int heldUpdates;

    public KubeappsApi(boolean https) {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, https);
        server.init(InetAddress.getLoopbackAddress(), 0);
        admin = server.createClient();
        admin.apiextensions().v1().customResourceDefinitions()
                .resource(load(admin, "/dev/apprepository-crd.yaml", CustomResourceDefinition.class)).create();
        if (https) {
            vertx = null;
            front = null;
            toServer = null;
        } else {
            vertx = Vertx.vertx();
            toServer = vertx.createHttpClient();
            front = vertx.createHttpServer().requestHandler(this::pass);
            await(front.listen(0, "127.0.0.1"));
        }
    }

    /** Passes a request on to the mock server, once the test lets it go if it is a held update. */
    private void pass(HttpServerRequest request) {
        request.body()
                .compose(body -> turn(request).compose(go -> toServer.request(request.method(),
                        server.getPort(), "127.0.0.1", request.uri())).compose(outgoing -> {
                            request.headers().forEach(header -> {
                                if (!HOP_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                                    outgoing.headers().add(header.getKey(), header.getValue());
                                }
                            });
                            return outgoing.send(body);
                        }))
                .compose(answer -> answer.body().onSuccess(content -> {
                    HttpServerResponse response = request.response().setStatusCode(answer.statusCode());
                    answer.headers().forEach(header -> {
                        if (!HOP_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                            response.headers().add(header.getKey(), header.getValue());
                        }
                    });
                    response.end(content);
                }))
                .onFailure(failure -> request.response().setStatusCode(502).end());
    }

    private synchronized Future<Void> turn(HttpServerRequest request) {
        if (held == null || request.method() != HttpMethod.PUT || !request.path().contains("/apprepositories/")) {
            return Future.succeededFuture();
        }
        heldUpdates++;
        // let go on the request's own event loop, whichever thread closes the hold
        Context context = Vertx.currentContext();
        Promise<Void> go = Promise.promise();
        held.add(() -> context.runOnContext(ignored -> go.complete()));
        return go.future();
    }

    /**
     * From now on, AppRepository updates wait at the API's door until the returned hold is closed: an update that
     * reached the API stays in flight for as long as the test needs.
     */
    public synchronized Hold holdUpdates() {
        if (front == null) {
            throw new IllegalStateException("updates are held over plain HTTP only");
        }
        List<Runnable> waiting = new ArrayList<>();
        held = waiting;
        heldUpdates = 0;
        return () -> {
            synchronized (this) {
                held = null;
            }
            waiting.forEach(Runnable::run);
        };
    }

    /** How many updates wait at the door since {@link #holdUpdates()}. */
    public synchronized int heldUpdates() {
        return heldUpdates;
    }

    /** Lets the held updates through. */
    public interface Hold extends AutoCloseable {

        @Override
        void close();
    }

    /** (Re)creates the repository, with every kind of field an update must keep. */
    public GenericKubernetesResource seed(String namespace, String name) {
        GenericKubernetesResource repository = load(admin, "/apprepository-full.yaml", GenericKubernetesResource.class);
        repository.getMetadata().setNamespace(namespace);
        repository.getMetadata().setName(name);
        var repositories = admin.genericKubernetesResources(APP_REPOSITORIES).inNamespace(namespace);
        repositories.withName(name).delete();
        return repositories.resource(repository).create();
    }

    /** Sets an annotation of the repository, as another writer would. */
    public void annotate(String namespace, String name, String key, String value) {
        admin.genericKubernetesResources(APP_REPOSITORIES).inNamespace(namespace).withName(name)
                .edit(repository -> {
                    repository.getMetadata().getAnnotations().put(key, value);
                    return repository;
                });
    }

    /** The address the service calls. */
    public String url() {
        return front == null ? server.url("/").replaceAll("/$", "") : "http://127.0.0.1:" + front.actualPort();
    }

    public GenericKubernetesResource get(String namespace, String name) {
        return admin.genericKubernetesResources(APP_REPOSITORIES).inNamespace(namespace).withName(name).get();
    }

    public long resyncRequests(String namespace, String name) {
        Object value = ((Map<?, ?>) get(namespace, name).getAdditionalProperties().get("spec")).get("resyncRequests");
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** The Events recorded in a namespace. */
    public List<Event> events(String namespace) {
        return admin.v1().events().inNamespace(namespace).list().getItems();
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

    /** Every request that reached the API since the last call of a take method, the test's own setup calls excluded. */
    public List<ApiCall> takeAllCalls() {
        return take("");
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
        if (vertx != null) {
            await(vertx.close());
        }
    }

    private static Logger quiet(Logger logger) {
        logger.setLevel(Level.WARNING);
        return logger;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // the mock server's own client sends this token
    private static final String ADMIN_AUTHORIZATION = "Bearer secret";

    private static <T> T load(KubernetesClient client, String resource, Class<T> type) {
        try (InputStream in = KubeappsApi.class.getResourceAsStream(resource)) {
            return client.getKubernetesSerialization().unmarshal(in, type);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tokens the test API refuses the way a real API server does, with its Status body. */
    public enum ApiRefusal {

        EXPIRED("expired-token", null, 401, "Unauthorized", "Unauthorized"), FORBIDDEN("forbidden-token", null, 403,
                "Forbidden",
                "apprepositories.kubeapps.com \"repo\" is forbidden: User \"system:serviceaccount:kubeapps:reader\""
                        + " cannot get resource \"apprepositories\" in API group \"kubeapps.com\" in the namespace \"kubeapps\""), INVALID(
                                "invalid-token", "PUT", 422, "Invalid",
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
        final List<ApiCall> calls = new CopyOnWriteArrayList<>();

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
                        Headers.builder().build(), new Buffer(body)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
