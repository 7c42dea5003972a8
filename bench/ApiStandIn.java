import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * A stand-in for the Kubernetes API in benchmarks: AppRepository GET and PUT with resourceVersion checks (409 on a
 * stale one) and a fixed delay per call, like an API server on a LAN. The delay is a timer, not a sleeping thread,
 * so the stand-in's capacity does not depend on it. An Event POST is answered as the API server answers it, after the
 * same delay: 201 with the created Event (its generated name, uid, resourceVersion and creationTimestamp), then
 * dropped.
 *
 * Usage (Vert.x from the packaged service):
 *   java -cp 'target/quarkus-app/lib/main/*' bench/ApiStandIn.java PORT DELAY_MS REPOSITORIES
 * GET /stats answers "gets puts conflicts events"; POST /stats/reset zeroes them.
 */
public class ApiStandIn {

    private static final Pattern PATH = Pattern.compile(
            "/apis/kubeapps\\.com/v1alpha1/namespaces/([a-z0-9-]+)/apprepositories/([a-z0-9.-]+)");
    private static final Pattern VERSION = Pattern.compile("\"resourceVersion\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern RESYNC = Pattern.compile("\"resyncRequests\"\\s*:\\s*(\\d+)");
    private static final Pattern EVENTS = Pattern.compile("/api/v1/namespaces/([a-z0-9-]+)/events");
    private static final Pattern GENERATE_NAME = Pattern.compile("\"generateName\"\\s*:\\s*\"([^\"]*)\"");

    private record Repository(long version, long resyncRequests) {
    }

    private static final ConcurrentHashMap<String, Repository> REPOSITORIES = new ConcurrentHashMap<>();
    private static final AtomicLong GETS = new AtomicLong();
    private static final AtomicLong PUTS = new AtomicLong();
    private static final AtomicLong CONFLICTS = new AtomicLong();
    private static final AtomicLong EVENTS_CREATED = new AtomicLong();

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        long delayMillis = Long.parseLong(args[1]);
        int repositories = Integer.parseInt(args[2]);
        REPOSITORIES.put("kubeapps/burst", new Repository(1, 0));
        for (int i = 0; i < repositories; i++) {
            REPOSITORIES.put("kubeapps/repo-" + i, new Repository(1, 0));
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setAcceptBacklog(4096))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    if (request.path().startsWith("/stats") || delayMillis <= 0) {
                        handle(request, body);
                    } else {
                        vertx.setTimer(delayMillis, timer -> handle(request, body));
                    }
                }))
                .listen(port, "127.0.0.1")
                .onSuccess(server -> System.out.println("API stand-in on 127.0.0.1:" + port + ", " + delayMillis
                                                        + " ms per call"))
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }

    private static void handle(HttpServerRequest request, Buffer body) {
        String path = request.path();
        if (path.startsWith("/stats")) {
            if (path.equals("/stats/reset")) {
                GETS.set(0);
                PUTS.set(0);
                CONFLICTS.set(0);
                EVENTS_CREATED.set(0);
            }
            respond(request, 200, GETS.get() + " " + PUTS.get() + " " + CONFLICTS.get() + " " + EVENTS_CREATED.get());
            return;
        }
        if (EVENTS.matcher(path).matches() && request.method().name().equals("POST")) {
            respond(request, 201, created(body.toString(StandardCharsets.UTF_8)));
            return;
        }
        Matcher matcher = PATH.matcher(path);
        if (!matcher.matches() || request.getHeader("Authorization") == null) {
            respond(request, matcher.matches() ? 401 : 404, status(404, "NotFound", "not found"));
            return;
        }
        String key = matcher.group(1) + "/" + matcher.group(2);
        switch (request.method().name()) {
            case "GET" -> {
                GETS.incrementAndGet();
                Repository repository = REPOSITORIES.get(key);
                if (repository == null) {
                    respond(request, 404, status(404, "NotFound",
                            "apprepositories.kubeapps.com \\\"" + matcher.group(2) + "\\\" not found"));
                } else {
                    respond(request, 200, json(matcher.group(1), matcher.group(2), repository));
                }
            }
            case "PUT" -> {
                PUTS.incrementAndGet();
                String text = body.toString(StandardCharsets.UTF_8);
                Matcher version = VERSION.matcher(text);
                long sent = version.find() ? Long.parseLong(version.group(1)) : -1;
                Matcher resync = RESYNC.matcher(text);
                long resyncRequests = resync.find() ? Long.parseLong(resync.group(1)) : 0;
                Repository[] stored = new Repository[1];
                REPOSITORIES.computeIfPresent(key, (k, current) -> {
                    if (current.version() != sent) {
                        return current;
                    }
                    stored[0] = new Repository(current.version() + 1, resyncRequests);
                    return stored[0];
                });
                if (stored[0] == null) {
                    CONFLICTS.incrementAndGet();
                    respond(request, 409, status(409, "Conflict", "the object has been modified"));
                } else {
                    respond(request, 200, json(matcher.group(1), matcher.group(2), stored[0]));
                }
            }
            default -> respond(request, 405, status(405, "MethodNotAllowed", "method not allowed"));
        }
    }

    /** The Event as the API server stores it: the name generated from generateName, and what it adds. */
    private static String created(String event) {
        long number = EVENTS_CREATED.incrementAndGet();
        Matcher generateName = GENERATE_NAME.matcher(event);
        String name = (generateName.find() ? generateName.group(1) : "event.") + Long.toString(number, 36);
        return event.replaceFirst("\"metadata\"\\s*:\\s*\\{", "\"metadata\":{\"name\":\"" + name + "\",\"uid\":\"event-"
                + number + "\",\"resourceVersion\":\"" + (1_000_000 + number) + "\",\"creationTimestamp\":\""
                + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\",");
    }

    private static String json(String namespace, String name, Repository repository) {
        return "{\"apiVersion\":\"kubeapps.com/v1alpha1\",\"kind\":\"AppRepository\",\"metadata\":{\"name\":\"" + name
               + "\",\"namespace\":\"" + namespace + "\",\"resourceVersion\":\"" + repository.version()
               + "\",\"uid\":\"" + Integer.toHexString((namespace + name).hashCode())
               + "\",\"labels\":{\"team\":\"charts\"}},\"spec\":{\"type\":\"helm\",\"url\":\"https://charts.example.com\","
               + "\"resyncRequests\":" + repository.resyncRequests() + "}}";
    }

    private static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
               + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    private static void respond(HttpServerRequest request, int code, String body) {
        request.response().setStatusCode(code).putHeader("Content-Type", "application/json").end(body);
    }
}
