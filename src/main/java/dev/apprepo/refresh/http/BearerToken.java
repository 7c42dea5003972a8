package dev.apprepo.refresh.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The token of an {@code Authorization: Bearer <token>} header (RFC 6750: case-insensitive scheme, b64token). */
final class BearerToken {

    private static final Pattern BEARER = Pattern.compile("(?i)bearer +([A-Za-z0-9\\-._~+/]+=*)");

    private BearerToken() {
    }

    /** The token, or null when the header is absent, repeated, of another scheme or empty. */
    static String of(Object authorization) {
        Matcher matcher = authorization instanceof String value ? BEARER.matcher(value) : null;
        return matcher != null && matcher.matches() ? matcher.group(1) : null;
    }
}
