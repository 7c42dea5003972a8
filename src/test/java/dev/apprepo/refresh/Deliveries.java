package dev.apprepo.refresh;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signed deliveries as the senders make them: their payloads, signatures and headers. */
final class Deliveries {

    static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private Deliveries() {
    }

    /** A sender's payload from {@code src/test/resources/payloads}. */
    static String payload(String resource) {
        try (InputStream in = Deliveries.class.getResourceAsStream("/payloads/" + resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hmacHex(String algorithm, String secret, String body) {
        return HexFormat.of().formatHex(hmac(algorithm, secret.getBytes(StandardCharsets.UTF_8), body));
    }

    static byte[] hmac(String algorithm, byte[] key, String content) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GitHub's headers for a delivery signed with {@code secret}. */
    static Map<String, String> github(String event, String secret, String body, String delivery) {
        return Map.of("X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
                "X-Hub-Signature-256", "sha256=" + hmacHex("HmacSHA256", secret, body));
    }

    /** Standard Webhooks headers for a message sent at {@code timestamp}, signed with {@link #STANDARD_SECRET}. */
    static Map<String, String> standardWebhooks(long timestamp, String body) {
        String id = "msg_" + timestamp;
        byte[] key = Base64.getDecoder().decode(STANDARD_SECRET.substring("whsec_".length()));
        String signature = Base64.getEncoder()
                .encodeToString(hmac("HmacSHA256", key, id + "." + timestamp + "." + body));
        return Map.of("webhook-id", id, "webhook-timestamp", String.valueOf(timestamp),
                "webhook-signature", "v1," + signature);
    }

    static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new HashMap<>(headers);
        all.put(name, value);
        return all;
    }
}
