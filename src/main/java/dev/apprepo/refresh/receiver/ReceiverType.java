package dev.apprepo.refresh.receiver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * The senders a receiver can verify: how each signs a delivery, where it names the event and the delivery.
 * Headers are read through a lookup that gives a single value or null.
 */
public enum ReceiverType {

    /** {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256>}; the SHA-1 {@code X-Hub-Signature} never counts. */
    GITHUB("github", Set.of("push", "release", "package", "registry_package")) {

        @Override
        boolean verify(Request request, List<byte[]> secrets, String algorithm, Instant now) {
            String signature = request.header("X-Hub-Signature-256");
            return signature != null && signature.startsWith("sha256=")
                    && Signatures.anyHmacMatches("HmacSHA256", secrets,
                            Signatures.hex(signature.substring("sha256=".length()), 32), request.body());
        }

        @Override
        public String event(Request request) {
            return request.header("X-GitHub-Event");
        }

        @Override
        public String deliveryId(Request request) {
            return request.header("X-GitHub-Delivery");
        }
    },

    /** {@code X-Gitlab-Token} equal to a secret. */
    GITLAB("gitlab", Set.of("Push Hook", "Tag Push Hook")) {

        @Override
        boolean verify(Request request, List<byte[]> secrets, String algorithm, Instant now) {
            return Signatures.anyEquals(secrets, request.header("X-Gitlab-Token"));
        }

        @Override
        public String event(Request request) {
            return request.header("X-Gitlab-Event");
        }

        @Override
        public String deliveryId(Request request) {
            String uuid = request.header("X-Gitlab-Event-UUID");
            return uuid != null ? uuid : request.header("Idempotency-Key");
        }
    },

    /** {@code X-Nexus-Webhook-Signature: <hex HMAC-SHA1>}. */
    NEXUS("nexus", Set.of("rm:repository:component", "rm:repository:asset")) {

        @Override
        boolean verify(Request request, List<byte[]> secrets, String algorithm, Instant now) {
            return Signatures.anyHmacMatches("HmacSHA1", secrets,
                    Signatures.hex(request.header("X-Nexus-Webhook-Signature"), 20), request.body());
        }

        @Override
        public String event(Request request) {
            return request.header("X-Nexus-Webhook-Id");
        }

        @Override
        public String deliveryId(Request request) {
            return request.header("X-Nexus-Webhook-Delivery");
        }
    },

    /**
     * {@code Authorization} equal to a secret, verbatim as Harbor sends its auth header. Never PULL_ARTIFACT by
     * default: the sync Job pulls, and each pull would start another sync.
     */
    HARBOR("harbor", Set.of("PUSH_ARTIFACT", "DELETE_ARTIFACT", "DELETE_REPOSITORY",
            "harbor.artifact.pushed", "harbor.artifact.deleted", "harbor.repository.deleted")) {

        @Override
        boolean verify(Request request, List<byte[]> secrets, String algorithm, Instant now) {
            return Signatures.anyEquals(secrets, request.header("Authorization"));
        }

        @Override
        public String event(Request request) {
            // the default format and CloudEvents both name the event in "type"
            return typeField(request.body());
        }

        @Override
        public String deliveryId(Request request) {
            return null;
        }
    },

    /** {@code X-Signature: sha256=<hex>} or {@code sha512=<hex>}, the algorithm pinned by the receiver. */
    GENERIC_HMAC("generic-hmac", null) {

        @Override
        boolean verify(Request request, List<byte[]> secrets, String algorithm, Instant now) {
            String signature = request.header("X-Signature");
            String prefix = algorithm + "=";
            if (signature == null || !signature.startsWith(prefix)) {
                return false;
            }
            boolean sha512 = "sha512".equals(algorithm);
            return Signatures.anyHmacMatches(sha512 ? "HmacSHA512" : "HmacSHA256", secrets,
                    Signatures.hex(signature.substring(prefix.length()), sha512 ? 64 : 32), request.body());
        }

        @Override
        public String event(Request request) {
            return null;
        }

        @Override
        public String deliveryId(Request request) {
            return request.header("Idempotency-Key");
        }
    },

    /**
     * Standard Webhooks: {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>}, several
     * space-separated signatures allowed, timestamps more than five minutes away refused. Secrets are base64,
     * {@code whsec_} prefix optional.
     */
    STANDARD_WEBHOOKS("standard-webhooks", null) {

        @Override
        boolean verify(Request request, List<byte[]> secrets, String algorithm, Instant now) {
            String id = request.header("webhook-id");
            String timestamp = request.header("webhook-timestamp");
            String signatures = request.header("webhook-signature");
            if (id == null || timestamp == null || signatures == null || !withinTolerance(timestamp, now)) {
                return false;
            }
            List<byte[]> keys = secrets.stream().map(ReceiverType::standardWebhooksKey).toList();
            byte[] signedPrefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
            boolean matched = false;
            for (String candidate : signatures.split(" ")) {
                if (candidate.startsWith("v1,")) {
                    matched |= Signatures.anyHmacMatches("HmacSHA256", keys, base64(candidate.substring(3)),
                            signedPrefix, request.body());
                }
            }
            return matched;
        }

        @Override
        public String event(Request request) {
            return typeField(request.body());
        }

        @Override
        public String deliveryId(Request request) {
            return request.header("webhook-id");
        }
    };

    /** How far a Standard Webhooks timestamp may be from now. */
    static final Duration TIMESTAMP_TOLERANCE = Duration.ofMinutes(5);

    /** The delivery as a receiver sees it: single-valued headers and the raw body. */
    public interface Request {

        String header(String name);

        byte[] body();

        static Request of(UnaryOperator<String> headers, byte[] body) {
            return new Request() {

                @Override
                public String header(String name) {
                    return headers.apply(name);
                }

                @Override
                public byte[] body() {
                    return body;
                }
            };
        }
    }

    private final String configName;
    private final Set<String> defaultEvents;

    ReceiverType(String configName, Set<String> defaultEvents) {
        this.configName = configName;
        this.defaultEvents = defaultEvents;
    }

    abstract boolean verify(Request request, List<byte[]> secrets, String algorithm, Instant now);

    /** The event the delivery announces, read after its signature verified; null if it names none. */
    public abstract String event(Request request);

    /** The sender's id of the delivery, the same on a redelivery; null if it has none. */
    public abstract String deliveryId(Request request);

    /** Events accepted when the receiver lists none; null: every delivery is accepted. */
    Set<String> defaultEvents() {
        return defaultEvents;
    }

    public String configName() {
        return configName;
    }

    static ReceiverType fromConfigName(String name) {
        for (ReceiverType type : values()) {
            if (type.configName.equals(name)) {
                return type;
            }
        }
        return null;
    }

    static byte[] standardWebhooksKey(byte[] secret) {
        String text = new String(secret, StandardCharsets.UTF_8);
        byte[] key = base64(text.startsWith("whsec_") ? text.substring("whsec_".length()) : text);
        if (key == null) {
            throw new IllegalArgumentException("a standard-webhooks secret must be base64, whsec_ prefix optional");
        }
        return key;
    }

    private static boolean withinTolerance(String timestamp, Instant now) {
        try {
            Instant sent = Instant.ofEpochSecond(Long.parseLong(timestamp));
            return Duration.between(sent, now).abs().compareTo(TIMESTAMP_TOLERANCE) <= 0;
        } catch (NumberFormatException | DateTimeException e) {
            return false;
        }
    }

    private static byte[] base64(String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** The top-level string field "type" of a JSON body, reading no further than it; null if there is none. */
    static String typeField(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("type".equals(field)) {
                    return value == JsonToken.VALUE_STRING ? parser.getText() : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
