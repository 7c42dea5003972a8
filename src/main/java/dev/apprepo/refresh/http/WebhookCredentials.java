package dev.apprepo.refresh.http;

import java.time.Clock;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.apprepo.refresh.receiver.Receiver;
import dev.apprepo.refresh.receiver.ReceiverType;
import dev.apprepo.refresh.receiver.Receivers;
import dev.apprepo.refresh.receiver.ServiceCredentials;
import dev.apprepo.refresh.support.RefreshHeaders;
import dev.apprepo.refresh.support.RefreshMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Decides with which credential a webhook request refreshes, or refuses it with 401:
 * <ol>
 * <li>a delivery whose signature the repository's receiver verifies refreshes with the service's own credential,
 * and the headers sender, receiver, event, whether the receiver accepts
 * it and the delivery id go into {@link RefreshHeaders};</li>
 * <li>else {@code Authorization: Bearer <token>} refreshes with that token, as Kubeapps did
 * (sender {@code bearer});</li>
 * <li>else nothing does.</li>
 * </ol>
 * A processor rather than simple expressions: Camel logs the target and arguments of bean and OGNL calls at
 * TRACE, and these headers are credentials.
 */
public class WebhookCredentials implements Processor {

    // what goes back into a JSON answer must need no escaping
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9 ._:/-]{1,100}");
    private static final Pattern DELIVERY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Receivers receivers;
    private final ServiceCredentials serviceCredentials;
    private final Function<Exchange, byte[]> rawBody;
    private final Clock clock;

    /** @param rawBody the request body exactly as it was sent, which signatures are computed over */
    public WebhookCredentials(Receivers receivers, ServiceCredentials serviceCredentials,
            Function<Exchange, byte[]> rawBody, Clock clock) {
        this.receivers = receivers;
        this.serviceCredentials = serviceCredentials;
        this.rawBody = rawBody;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getIn();
        Object authorization = in.removeHeader("Authorization");
        Receiver receiver = receivers.find(in.getHeader(RefreshHeaders.CLUSTER, String.class),
                in.getHeader(RefreshHeaders.NAMESPACE, String.class),
                in.getHeader(RefreshHeaders.REPOSITORY, String.class));
        if (receiver != null && verified(receiver, in, authorization, exchange)) {
            return;
        }
        String token = BearerToken.of(authorization);
        if (token == null) {
            throw new UnauthorizedException(receiver == null
                    ? "an Authorization: Bearer <token> header is required"
                    : "the delivery's signature does not verify, and no Authorization: Bearer <token> was given");
        }
        in.setHeader(RefreshHeaders.TOKEN, token);
        in.setHeader(RefreshHeaders.SENDER, RefreshMetrics.BEARER);
    }

    private boolean verified(Receiver receiver, Message in, Object authorization, Exchange exchange) {
        ReceiverType.Request request = ReceiverType.Request.of(name -> "Authorization".equalsIgnoreCase(name)
                ? single(authorization)
                : single(in.getHeader(name)), rawBody.apply(exchange));
        if (!receiver.verify(request, clock.instant())) {
            return false;
        }
        String event = matching(EVENT_NAME, receiver.type().event(request));
        in.setHeader(RefreshHeaders.TOKEN, serviceCredentials.tokenFor(receiver.cluster()));
        in.setHeader(RefreshHeaders.SENDER, receiver.type().configName());
        in.setHeader(RefreshHeaders.RECEIVER, receiver.name());
        in.setHeader(RefreshHeaders.EVENT, event);
        in.setHeader(RefreshHeaders.EVENT_ACCEPTED, receiver.accepts(event));
        in.setHeader(RefreshHeaders.DELIVERY_ID, matching(DELIVERY, receiver.type().deliveryId(request)));
        return true;
    }

    private static String single(Object header) {
        return header instanceof String value ? value : null;
    }

    private static String matching(Pattern pattern, String value) {
        return value != null && pattern.matcher(value).matches() ? value : null;
    }
}
