package dev.apprepo.refresh.quarkus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.apprepo.refresh.RefreshSettings;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * The request body exactly as it was sent, which signatures are computed over. Camel hands a form-encoded body
 * to the route as parsed fields only (GitHub sends form-encoded deliveries unless told otherwise), so the raw
 * bytes are taken from Vert.x, which keeps them for every body but multipart.
 */
@ApplicationScoped
public class RawRequestBodies {

    private final Map<HttpServerRequest, RoutingContext> inFlight = new ConcurrentHashMap<>();

    @Inject
    RefreshSettings settings;

    void install(@Observes Router router) {
        if (settings.receiversConfig().isEmpty()) {
            // bearer requests only: no signature to check, nothing to keep
            return;
        }
        router.route("/api/v1/*").order(Integer.MIN_VALUE + 1).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            inFlight.put(request, ctx);
            ctx.addEndHandler(done -> inFlight.remove(request));
            ctx.next();
        });
    }

    public byte[] of(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage message) {
            RoutingContext ctx = inFlight.get(message.getRequest());
            if (ctx != null && ctx.body().buffer() != null) {
                return ctx.body().buffer().getBytes();
            }
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }
}
