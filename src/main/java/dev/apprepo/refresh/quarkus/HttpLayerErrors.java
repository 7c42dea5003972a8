package dev.apprepo.refresh.quarkus;

import java.util.Optional;

import dev.apprepo.refresh.http.KubernetesStatusErrors;
import dev.apprepo.refresh.support.RefreshMetrics;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Kubernetes {@code Status} bodies for what the HTTP layer refuses before the route runs: a body over
 * {@code quarkus.http.limits.max-body-size} (413) and paths under {@code /api/v1/} that name no refresh (404).
 */
@ApplicationScoped
public class HttpLayerErrors {

    private static final Logger LOG = Logger.getLogger(HttpLayerErrors.class);

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;

    @Inject
    RefreshMetrics metrics;

    void install(@Observes Router router) {
        // Quarkus answers a declared Content-Length over the limit itself, with an empty body: say it first
        router.route("/api/v1/*").order(Integer.MIN_VALUE).handler(this::refuseDeclaredOversizedBody);
        // a body that outgrows the limit while it streams in fails the route with 413
        router.route("/api/v1/*").failureHandler(this::failed);
        // runs only when no route of the refresh matched
        router.route("/api/v1/*").order(Integer.MAX_VALUE)
                .handler(ctx -> respond(ctx, 404, "NotFound", "the server could not find the requested resource"));
    }

    private void refuseDeclaredOversizedBody(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        if (length != null && maxBodySize.isPresent()) {
            try {
                if (Long.parseLong(length.strip()) > maxBodySize.get().asLongValue()) {
                    tooLarge(ctx);
                    return;
                }
            } catch (NumberFormatException e) {
                respond(ctx, 400, "BadRequest", "Content-Length is not a number");
                return;
            }
        }
        ctx.next();
    }

    private void tooLarge(RoutingContext ctx) {
        // the rest of the body is not read: close the connection rather than drain it
        ctx.response().putHeader("Connection", "close");
        respond(ctx, 413, "RequestEntityTooLarge", "the request body is larger than the service accepts");
    }

    private void failed(RoutingContext ctx) {
        int code = ctx.statusCode();
        // the failure's class only: its message can quote the request body
        String failure = ctx.failure() == null ? "none" : ctx.failure().getClass().getName();
        LOG.debugf("HTTP layer refused a request with %d (%s)", code, failure);
        if (code == 413) {
            tooLarge(ctx);
        } else if (code >= 400 && code < 500) {
            respond(ctx, code, "BadRequest", "the request could not be read");
        } else {
            LOG.errorf("HTTP request failed with %d (%s)", code, failure);
            respond(ctx, 500, "InternalError", "internal error");
        }
    }

    private void respond(RoutingContext ctx, int code, String reason, String message) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        // refused before any route knew cluster or sender; what the client sent stays out of the log
        metrics.request(code, RefreshMetrics.UNKNOWN, RefreshMetrics.UNKNOWN);
        LOG.debugf("HTTP layer refused a request: %d %s", code, reason);
        ctx.response().setStatusCode(code)
                .putHeader("Content-Type", "application/json")
                .end(Serialization.asJson(KubernetesStatusErrors.status(code, reason, message)));
    }
}
