package dev.apprepo.refresh.support;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Durations written as Quarkus reads them, so that every setting of the service reads alike. */
public final class Durations {

    /** How to write one, for error messages. */
    public static final String FORMS = "a duration such as 500ms, 10s, 5m, 24h, a number of seconds, or PT10S";

    private static final Pattern SECONDS = Pattern.compile("\\d+");
    private static final Pattern MILLISECONDS = Pattern.compile("\\d+ms", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /**
     * A number of seconds, {@code 500ms}, {@code 1.5s}, {@code 1h30m}, {@code 2d}, or ISO-8601.
     *
     * @throws IllegalArgumentException when it is none of these, or negative
     */
    public static Duration parse(String value) {
        String text = value.strip();
        try {
            Duration duration;
            if (SECONDS.matcher(text).matches()) {
                duration = Duration.ofSeconds(Long.parseLong(text));
            } else if (MILLISECONDS.matcher(text).matches()) {
                duration = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else if (!text.isEmpty() && Character.isDigit(text.charAt(0))) {
                duration = Duration.parse(text.toLowerCase(Locale.ROOT).endsWith("d") ? "P" + text : "PT" + text);
            } else {
                duration = Duration.parse(text);
            }
            if (!duration.isNegative()) {
                return duration;
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("\"" + value + "\" is not " + FORMS);
    }
}
