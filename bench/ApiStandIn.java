import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the Kubernetes API in benchmarks: AppRepository GET and PUT with resourceVersion checks (409 on a
 * stale one) and a fixed delay per call, like an API server on a LAN. JDK only: run with java ApiStandIn.java.
 *
 * Usage: java -Dsun.net.httpserver.nodelay=true bench/ApiStandIn.java PORT DELAY_MS REPOSITORIES
 * (without nodelay, Nagle's algorithm adds 40 ms to most keep-alive answers)
 * GET /stats answers "gets puts conflicts"; POST /stats/reset zeroes them.
 */
public class ApiStandIn {

    private static final Pattern PATH = Pattern.compile(
            "/apis/kubeapps\\.com/v1alpha1/namespaces/([a-z0-9-]+)/apprepositories/([a-z0-9.-]+)");
    private static final Pattern VERSION = Pattern.compile("\"resourceVersion\"\\s*:\\s*\"(\\d+)\"");

    private record Repository(long version, long resyncRequests) {
    }

    private static final ConcurrentHashMap<String, Repository> REPOSITORIES = new ConcurrentHashMap<>();
    private static final AtomicLong GETS = new AtomicLong();
    private static final AtomicLong PUTS = new AtomicLong();
    private static final AtomicLong CONFLICTS = new AtomicLong();
    private static long delayMillis;

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        delayMillis = Long.parseLong(args[1]);
        int repositories = Integer.parseInt(args[2]);
        REPOSITORIES.put("kubeapps/burst", new Repository(1, 0));
        for (int i = 0; i < repositories; i++) {
            REPOSITORIES.put("kubeapps/repo-" + i, new Repository(1, 0));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 4096);
        server.setExecutor(Executors.newFixedThreadPool(256));
        server.createContext("/", ApiStandIn::handle);
        server.start();
        System.out.println("API stand-in on 127.0.0.1:" + port + ", " + delayMillis + " ms per call");
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/stats")) {
                if (path.equals("/stats/reset")) {
                    GETS.set(0);
                    PUTS.set(0);
                    CONFLICTS.set(0);
                }
                respond(exchange, 200, GETS.get() + " " + PUTS.get() + " " + CONFLICTS.get());
                return;
            }
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            if (path.endsWith("/events") && exchange.getRequestMethod().equals("POST")) {
                // the service's audit Events: accepted, not kept
                respond(exchange, 201, new String(body, StandardCharsets.UTF_8));
                return;
            }
            Matcher matcher = PATH.matcher(path);
            if (!matcher.matches() || exchange.getRequestHeaders().getFirst("Authorization") == null) {
                respond(exchange, matcher.matches() ? 401 : 404, status(404, "NotFound", "not found"));
                return;
            }
            String key = matcher.group(1) + "/" + matcher.group(2);
            switch (exchange.getRequestMethod()) {
                case "GET" -> {
                    GETS.incrementAndGet();
                    Repository repository = REPOSITORIES.get(key);
                    if (repository == null) {
                        respond(exchange, 404, status(404, "NotFound", "apprepositories.kubeapps.com \"" + matcher.group(2) + "\" not found"));
                    } else {
                        respond(exchange, 200, json(matcher.group(1), matcher.group(2), repository));
                    }
                }
                case "PUT" -> {
                    PUTS.incrementAndGet();
                    String text = new String(body, StandardCharsets.UTF_8);
                    Matcher version = VERSION.matcher(text);
                    long sent = version.find() ? Long.parseLong(version.group(1)) : -1;
                    long resync = resyncRequests(text);
                    Repository[] stored = new Repository[1];
                    boolean[] conflict = new boolean[1];
                    REPOSITORIES.compute(key, (k, current) -> {
                        if (current == null || current.version() != sent) {
                            conflict[0] = true;
                            return current;
                        }
                        stored[0] = new Repository(current.version() + 1, resync);
                        return stored[0];
                    });
                    if (conflict[0]) {
                        CONFLICTS.incrementAndGet();
                        respond(exchange, 409, status(409, "Conflict", "the object has been modified"));
                    } else {
                        respond(exchange, 200, json(matcher.group(1), matcher.group(2), stored[0]));
                    }
                }
                default -> respond(exchange, 405, status(405, "MethodNotAllowed", "method not allowed"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long resyncRequests(String json) {
        Matcher matcher = Pattern.compile("\"resyncRequests\"\\s*:\\s*(\\d+)").matcher(json);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
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
               + message.replace("\"", "\\\"") + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    private static void respond(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
