package dev.apprepo.refresh.http;

import dev.apprepo.refresh.support.RefreshHeaders;
import io.fabric8.kubernetes.api.model.Status;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per answered request: which repository, who asked, the answer, how many requests the update that
 * answered it served, and how long it took. Never a token: the line is built from named headers only, and what the
 * client put in the path is quoted with anything unprintable escaped.
 */
public class RequestLog {

    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);
    private static final int MAX_QUOTED = 256;

    public void record(Exchange exchange) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Message message = exchange.getMessage();
        int code = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
        StringBuilder line = new StringBuilder("refresh ")
                .append(printable(message.getHeader(RefreshHeaders.CLUSTER, String.class))).append('/')
                .append(printable(message.getHeader(RefreshHeaders.NAMESPACE, String.class))).append('/')
                .append(printable(message.getHeader(RefreshHeaders.REPOSITORY, String.class)))
                .append(": ").append(code);
        Object failure = exchange.getProperty(KubernetesStatusErrors.STATUS_PROPERTY);
        if (failure instanceof Status status) {
            line.append(' ').append(status.getReason()).append(" (").append(printable(status.getMessage())).append(')');
        }
        line.append(", sender ").append(message.getHeader(RefreshHeaders.SENDER, "none", String.class));
        String delivery = message.getHeader(RefreshHeaders.DELIVERY_ID, String.class);
        if (delivery != null) {
            line.append(", delivery ").append(delivery);
            if (message.getHeader(RefreshHeaders.DUPLICATE, false, Boolean.class)) {
                line.append(" (duplicate)");
            }
        }
        Integer served = message.getHeader(RefreshHeaders.SERVED_COUNT, Integer.class);
        if (served != null) {
            line.append(", update served ").append(served).append(served == 1 ? " request" : " requests");
        }
        line.append(", ").append(exchange.getClock().elapsed()).append(" ms");
        LOG.info(line.toString());
    }

    /**
     * Quotes what a client sent, at most {@value #MAX_QUOTED} characters, with anything but printable ASCII escaped:
     * no line break, control sequence or look-alike character of any kind reaches the log.
     */
    static String printable(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && i < MAX_QUOTED; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return value.length() > MAX_QUOTED ? out.append("...").toString() : out.toString();
    }
}
