package dev.apprepo.refresh.http;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import dev.apprepo.refresh.kubernetes.MissingCallerTokenException;
import dev.apprepo.refresh.kubernetes.UnknownClusterException;
import dev.apprepo.refresh.support.RefreshHeaders;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the exception that ended a request into the HTTP answer: a Kubernetes {@code Status} body with the code it
 * names. API errors keep the API server's own Status; failures to reach the API become 502, 503 or 504.
 */
public class KubernetesStatusErrors {

    /** The exchange property that holds the Status of a failed request, for the request log. */
    public static final String STATUS_PROPERTY = "apprepoRefreshStatus";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesStatusErrors.class);

    public void respond(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message message = exchange.getMessage();
        Status status = toStatus(failure, "AppRepository " + message.getHeader(RefreshHeaders.NAMESPACE) + "/"
                + message.getHeader(RefreshHeaders.REPOSITORY) + " on cluster "
                + message.getHeader(RefreshHeaders.CLUSTER));
        exchange.setProperty(STATUS_PROPERTY, status);
        // the failure may have come before the request's own headers were dropped: none of them goes back, and the
        // credential goes; the route's own stay for the request metrics and log (Camel never writes Camel* headers
        // to a response)
        message.removeHeaders("*", "CamelKubeapps*");
        message.removeHeader(RefreshHeaders.TOKEN);
        if (failure instanceof MethodNotAllowedException) {
            message.setHeader("Allow", "POST");
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status.getCode());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(Serialization.asJson(status));
    }

    /** @param subject what the request was about, for an API answer that names nothing itself */
    static Status toStatus(Throwable failure, String subject) {
        if (failure instanceof RejectedRequestException rejected) {
            return status(rejected.code(), rejected.reason(), rejected.getMessage());
        }
        if (failure instanceof MissingCallerTokenException) {
            return status(401, "Unauthorized", failure.getMessage());
        }
        if (failure instanceof UnknownClusterException) {
            return status(404, "NotFound", failure.getMessage());
        }
        if (failure instanceof KubernetesClientException apiError && apiError.getCode() > 0) {
            return fromApi(apiError, subject);
        }
        Throwable cause = rootTransportCause(failure);
        if (cause instanceof TimeoutException || cause instanceof InterruptedIOException) {
            LOG.warn("Kubernetes API call timed out: {}", describe(cause));
            return status(504, "Timeout", "the Kubernetes API did not answer in time");
        }
        if (cause instanceof SSLException) {
            LOG.warn("TLS with the Kubernetes API failed: {}", describe(cause));
            return status(502, "BadGateway", "TLS with the Kubernetes API failed");
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof NoRouteToHostException || cause instanceof UnresolvedAddressException) {
            LOG.warn("Kubernetes API unreachable: {}", describe(cause));
            return status(503, "ServiceUnavailable", "the Kubernetes API is unreachable");
        }
        if (failure instanceof KubernetesClientException) {
            LOG.warn("Kubernetes API call failed: {}", describe(cause));
            return status(502, "BadGateway", "the Kubernetes API call failed");
        }
        LOG.error("Refresh failed", failure);
        return status(500, "InternalError", "internal error");
    }

    private static Status fromApi(KubernetesClientException apiError, String subject) {
        Status status = apiError.getStatus();
        if (status != null && status.getMessage() != null && status.getAdditionalProperties().isEmpty()) {
            return status;
        }
        // the API answered without a Status body, and fabric8 made one up (flagged in its additional properties)
        int code = apiError.getCode();
        String message = code == 404
                ? subject + " was not found"
                : status != null && status.getMessage() != null ? status.getMessage() : "HTTP " + code;
        return status(code, REASONS.getOrDefault(code, "Unknown"), message);
    }

    /** The StatusReason the API server gives each code (k8s.io/apimachinery/pkg/apis/meta/v1). */
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(400, "BadRequest"),
            Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "NotFound"),
            Map.entry(405, "MethodNotAllowed"),
            Map.entry(408, "Timeout"),
            Map.entry(409, "Conflict"),
            Map.entry(410, "Expired"),
            Map.entry(413, "RequestEntityTooLarge"),
            Map.entry(422, "Invalid"),
            Map.entry(429, "TooManyRequests"),
            Map.entry(500, "InternalError"),
            Map.entry(504, "Timeout"));

    /** The StatusReason of a code; a client error with no reason of its own is a bad request. */
    public static String reason(int code) {
        return REASONS.getOrDefault(code, code >= 400 && code < 500 ? "BadRequest" : "Unknown");
    }

    /** A Kubernetes {@code Status} of failure, as the API server writes it. */
    public static Status status(int code, String reason, String message) {
        return new StatusBuilder()
                .withKind("Status")
                .withApiVersion("v1")
                .withNewMetadata().endMetadata()
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage(message)
                .build();
    }

    private static Throwable rootTransportCause(Throwable failure) {
        Throwable cause = failure;
        while (cause != null) {
            if (cause instanceof TimeoutException || cause instanceof InterruptedIOException
                    || cause instanceof SSLException || cause instanceof ConnectException
                    || cause instanceof UnknownHostException || cause instanceof NoRouteToHostException
                    || cause instanceof UnresolvedAddressException) {
                return cause;
            }
            cause = cause.getCause();
        }
        return failure;
    }

    private static String describe(Throwable cause) {
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
