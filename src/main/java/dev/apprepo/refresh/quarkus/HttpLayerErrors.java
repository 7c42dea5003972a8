package dev.apprepo.refresh.quarkus;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.apprepo.refresh.http.KubernetesStatusErrors;
import dev.apprepo.refresh.support.RefreshMetrics;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.netty.handler.codec.DecoderException;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Kubernetes {@code Status} answers for what the HTTP layer refuses before, or instead of, the route: a body that
 * does not arrive within {@code quarkus.http.read-timeout} (408), a body over
 * {@code quarkus.http.limits.max-body-size} (413), a URI or headers over the service's limits (414, 431), a request
 * that cannot be read (400), and paths under {@code /api/v1/} that name no refresh (404). Each is the client's
 * mistake: a DEBUG line and a count in the request metrics. A client that went away gets no answer and no more than a
 * DEBUG line. A refusal that leaves part of the body unread closes the connection rather than read it all.
 * <p>
 * What Vert.x and Quarkus refuse before any handler runs keeps their own empty answer, with the right code: a request
 * line or headers that do not parse (a Content-Length that is not a number), a URI that is not one (a bad
 * percent-escape), a URI or headers past {@code quarkus.http.limits.max-initial-line-length} and
 * {@code max-header-size}.
 */
@ApplicationScoped
public class HttpLayerErrors {

    /** The longest URI read: Quarkus' own default; a refresh path, with the longest names, is far shorter. */
    static final int MAX_URI_LENGTH = 4096;
    /** The most header bytes read: Quarkus' own default. */
    static final int MAX_HEADERS_SIZE = 20 * 1024;

    private static final Logger LOG = Logger.getLogger(HttpLayerErrors.class);
    private static final String API = "/api/v1/";
    private static final Map<Integer, String> MESSAGES = Map.of(
            400, "the request could not be read",
            404, "the server could not find the requested resource",
            408, "the request did not arrive within the time the service waits for it",
            413, "the request body is larger than the service accepts",
            414, "the request URI is longer than the service accepts",
            431, "the request headers are larger than the service accepts");

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;

    @ConfigProperty(name = "quarkus.http.read-timeout")
    Duration readTimeout;

    @Inject
    RefreshMetrics metrics;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            ctx.addBodyEndHandler(answered -> dropAtMostALimitOfTheRest(ctx));
            if (underApi(ctx)) {
                checkLimits(ctx);
            } else {
                ctx.next();
            }
        });
        // the body handler fails the route when the body outgrows the limit, does not decode or the client leaves
        router.route().failureHandler(this::failed);
        // runs only when no route matched; a path sent under /api/v1/ may climb out of it once normalized
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            if (underApi(ctx)) {
                respond(ctx, 404, MESSAGES.get(404));
            } else {
                ctx.next();
            }
        });
    }

    /** Routes match the normalized path: {@code /./api/v1/...} reaches the refresh as {@code /api/v1/...} does. */
    private static boolean underApi(RoutingContext ctx) {
        String path = ctx.request().path();
        return path != null && (path.startsWith(API) || ctx.normalizedPath().startsWith(API)
                || ctx.normalizedPath().equals(API.substring(0, API.length() - 1)));
    }

    private void checkLimits(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.uri().length() > MAX_URI_LENGTH) {
            refuse(ctx, 414);
        } else if (headersSize(request) > MAX_HEADERS_SIZE) {
            refuse(ctx, 431);
        } else if (declaredLength(request) > maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE)) {
            // Quarkus answers this itself, with an empty body: say it first
            refuse(ctx, 413);
        } else {
            if (!request.isEnded()) {
                // the route runs once the whole body is in: a body that stops short is never answered otherwise
                long deadline = ctx.vertx().setTimer(readTimeout.toMillis(), fired -> {
                    if (!request.isEnded()) {
                        refuse(ctx, 408);
                    }
                });
                ctx.addEndHandler(ended -> ctx.vertx().cancelTimer(deadline));
            }
            ctx.next();
        }
    }

    private static long headersSize(HttpServerRequest request) {
        long size = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            size += header.getKey().length() + header.getValue().length() + 4;
        }
        return size;
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        try {
            return length == null ? -1 : Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            // Vert.x refuses such a request before any route; the body handler stands guard anyway
            return -1;
        }
    }

    private void failed(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        // the failure's class only: its message can quote the request
        String cause = failure == null ? "none" : failure.getClass().getName();
        if (clientLeft(ctx, failure)) {
            LOG.debugf("The client closed the connection before its answer (%s)", cause);
            return;
        }
        if (!underApi(ctx)) {
            // Quarkus' own endpoints keep Quarkus' own error handling
            ctx.next();
            return;
        }
        int code = ctx.statusCode();
        LOG.debugf("HTTP layer refused a request with %d (%s)", code, cause);
        if (code == 200 || unreadable(failure)) {
            // Vert.x' body handler fails with 200 when the request could not be read to its end (a form that does not
            // decode; a chunk size that is not a number fails so too, but Vert.x closes the connection before any
            // answer), and with the decoder's own exception when the body names a charset or boundary it cannot use
            refuse(ctx, 400);
        } else if (code >= 400 && code < 500) {
            refuse(ctx, code);
        } else {
            LOG.errorf("HTTP request failed with %d (%s)", code, cause);
            respond(ctx, 500, "internal error");
        }
    }

    /** What the body handler throws for a body it cannot decode as its headers say: the client's mistake. */
    private static boolean unreadable(Throwable failure) {
        return failure instanceof DecoderException || failure instanceof IllegalArgumentException;
    }

    private static boolean clientLeft(RoutingContext ctx, Throwable failure) {
        return ctx.response().closed() || failure instanceof HttpClosedException
                || failure instanceof StreamResetException || failure instanceof IOException;
    }

    /**
     * Refuses with a Status. When part of the body is still to come, the connection closes after the answer: at once
     * if the body is late, else once the body ends or a limit's worth more of it has been dropped.
     */
    private void refuse(RoutingContext ctx, int code) {
        HttpServerRequest request = ctx.request();
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        boolean unread = !request.isEnded()
                && (declaredLength(request) > 0 || request.headers().contains("Transfer-Encoding"));
        // HTTP/2 has no Connection header, and sending one resets the stream: its stream ends with the answer
        if (unread && request.version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader("Connection", "close");
        }
        Future<Void> answered = respond(ctx, code, MESSAGES.getOrDefault(code, MESSAGES.get(400)));
        if (unread && code == 408 && request.version() != HttpVersion.HTTP_2) {
            answered.onComplete(done -> request.connection().close());
        }
    }

    /**
     * Vert.x reads the rest of a body answered before its end, however long, to reach the connection's next request.
     * No more than the service would have accepted is read and dropped, within the read timeout: past either the
     * connection closes, and so it does at the body's end when the answer said so. A sender that writes no more than
     * the limit before it reads gets its answer rather than a reset, and no body is read to its end whatever its size
     * or pace.
     */
    private void dropAtMostALimitOfTheRest(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // an HTTP/2 stream ends with its answer; the connection is the other streams' too
        if (request.isEnded() || request.version() == HttpVersion.HTTP_2) {
            return;
        }
        long limit = maxBodySize.map(MemorySize::asLongValue).orElse(0L);
        long[] dropped = {0};
        request.handler(data -> {
            dropped[0] += data.length();
            if (dropped[0] > limit) {
                request.connection().close();
            }
        });
        // chunk extensions carry no data but cost reading, and a trickle keeps the connection alive: the rest of
        // the body has until the read timeout, as a body has
        long deadline = ctx.vertx().setTimer(readTimeout.toMillis(), fired -> {
            if (!request.isEnded()) {
                request.connection().close();
            }
        });
        request.endHandler(ended -> ctx.vertx().cancelTimer(deadline));
        if ("close".equalsIgnoreCase(ctx.response().headers().get("Connection"))) {
            request.endHandler(ended -> {
                ctx.vertx().cancelTimer(deadline);
                request.connection().close();
            });
        }
        request.resume();
    }

    private Future<Void> respond(RoutingContext ctx, int code, String message) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return Future.succeededFuture();
        }
        // refused before any route knew cluster or sender; what the client sent stays out of the log
        metrics.request(code, RefreshMetrics.UNKNOWN, RefreshMetrics.UNKNOWN);
        LOG.debugf("HTTP layer refused a request: %d", code);
        return ctx.response().setStatusCode(code)
                .putHeader("Content-Type", "application/json")
                .end(Serialization.asJson(
                        KubernetesStatusErrors.status(code, KubernetesStatusErrors.reason(code), message)));
    }
}
