package dev.apprepo.refresh.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Moves the token of {@code Authorization: Bearer <token>} into the header the refresh kamelet reads, and refuses
 * any other Authorization with 401.
 * <p>
 * A processor rather than a simple expression: Camel logs the target and arguments of every bean or OGNL call at
 * TRACE, and the header is a credential.
 */
public class BearerToken implements Processor {

    /** Header the kamelet takes the caller's token from. */
    public static final String TOKEN_HEADER = "CamelKubeappsToken";

    // RFC 6750 section 2.1: the scheme is case-insensitive, the token a b64token
    private static final Pattern BEARER = Pattern.compile("(?i)bearer +([A-Za-z0-9\\-._~+/]+=*)");

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getIn();
        Object authorization = in.removeHeader("Authorization");
        Matcher matcher = authorization instanceof String value ? BEARER.matcher(value) : null;
        if (matcher == null || !matcher.matches()) {
            throw new UnauthorizedException("an Authorization: Bearer <token> header is required");
        }
        in.setHeader(TOKEN_HEADER, matcher.group(1));
    }
}
