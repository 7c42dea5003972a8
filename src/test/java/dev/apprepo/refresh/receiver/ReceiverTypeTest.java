package dev.apprepo.refresh.receiver;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One row per sender and per way a signature can be wrong, with the public test vectors where there are some. */
class ReceiverTypeTest {

    private static final String GITHUB_DOCS_SECRET = "It's a Secret to Everybody";
    private static final String GITHUB_DOCS_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    private static final String STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final Instant STANDARD_NOW = Instant.ofEpochSecond(1614265330);
    private static final String STANDARD_BODY = "{\"test\": 2432232314}";
    private static final String STANDARD_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static Map<String, String> headers(String... nameValues) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.put(nameValues[i], nameValues[i + 1]);
        }
        return headers;
    }

    private static Map<String, String> standardHeaders(String timestamp, String signature) {
        return headers("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", timestamp,
                "webhook-signature", signature);
    }

    private static String hex(String algorithm, String secret, String body) {
        return HexFormat.of().formatHex(Signatures.hmac(algorithm, secret.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8)));
    }

    static Stream<Case> deliveries() {
        String body = "{\"yo\":true}";
        String sha1 = hex("HmacSHA1", "nexus-secret", body);
        return Stream.of(
                row("github: docs vector", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", GITHUB_DOCS_SIGNATURE), "Hello, World!", STANDARD_NOW, true),
                row("github: go-github vector", ReceiverType.GITHUB, List.of("0123456789abcdef"), null,
                        headers("X-Hub-Signature-256",
                                "sha256=b1f8020f5b4cd42042f807dd939015c4a418bc1ff7f604dd55b0a19b5d953d9b"),
                        body, STANDARD_NOW, true),
                row("github: upper case hex", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256",
                                GITHUB_DOCS_SIGNATURE.toUpperCase().replace("SHA256=", "sha256=")),
                        "Hello, World!", STANDARD_NOW, true),
                row("github: second secret of two", ReceiverType.GITHUB, List.of("old-secret", GITHUB_DOCS_SECRET),
                        null,
                        headers("X-Hub-Signature-256", GITHUB_DOCS_SIGNATURE), "Hello, World!", STANDARD_NOW, true),
                row("github: other secret", ReceiverType.GITHUB, List.of("another"), null,
                        headers("X-Hub-Signature-256", GITHUB_DOCS_SIGNATURE), "Hello, World!", STANDARD_NOW, false),
                row("github: body changed", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", GITHUB_DOCS_SIGNATURE), "Hello, World?", STANDARD_NOW, false),
                row("github: sha1 header only", ReceiverType.GITHUB, List.of("nexus-secret"), null,
                        headers("X-Hub-Signature", "sha1=" + sha1), body, STANDARD_NOW, false),
                row("github: sha1 value in the sha256 header", ReceiverType.GITHUB, List.of("nexus-secret"), null,
                        headers("X-Hub-Signature-256", "sha256=" + sha1), body, STANDARD_NOW, false),
                row("github: no signature", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null, headers(),
                        "Hello, World!", STANDARD_NOW, false),
                row("github: empty", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", ""), "Hello, World!", STANDARD_NOW, false),
                row("github: no prefix", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", GITHUB_DOCS_SIGNATURE.substring(7)), "Hello, World!",
                        STANDARD_NOW, false),
                row("github: not hex", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", "sha256=" + "zz".repeat(32)), "Hello, World!", STANDARD_NOW,
                        false),
                row("github: too short", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", GITHUB_DOCS_SIGNATURE.substring(0, 70)), "Hello, World!",
                        STANDARD_NOW, false),
                row("github: a few bytes", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", "sha2"), "Hello, World!", STANDARD_NOW, false),
                row("github: prefix only", ReceiverType.GITHUB, List.of(GITHUB_DOCS_SECRET), null,
                        headers("X-Hub-Signature-256", "sha256="), "Hello, World!", STANDARD_NOW, false),
                row("nexus: hmac-sha1", ReceiverType.NEXUS, List.of("nexus-secret"), null,
                        headers("X-Nexus-Webhook-Signature", sha1), body, STANDARD_NOW, true),
                row("nexus: sha256 length", ReceiverType.NEXUS, List.of("nexus-secret"), null,
                        headers("X-Nexus-Webhook-Signature", hex("HmacSHA256", "nexus-secret", body)), body,
                        STANDARD_NOW, false),
                row("nexus: with a prefix", ReceiverType.NEXUS, List.of("nexus-secret"), null,
                        headers("X-Nexus-Webhook-Signature", "sha1=" + sha1), body, STANDARD_NOW, false),
                row("nexus: a few bytes", ReceiverType.NEXUS, List.of("nexus-secret"), null,
                        headers("X-Nexus-Webhook-Signature", "a1"), body, STANDARD_NOW, false),
                row("gitlab: token", ReceiverType.GITLAB, List.of("gitlab-token"), null,
                        headers("X-Gitlab-Token", "gitlab-token"), body, STANDARD_NOW, true),
                row("gitlab: other token", ReceiverType.GITLAB, List.of("gitlab-token"), null,
                        headers("X-Gitlab-Token", "gitlab-tokem"), body, STANDARD_NOW, false),
                row("gitlab: prefix of the token", ReceiverType.GITLAB, List.of("gitlab-token"), null,
                        headers("X-Gitlab-Token", "gitlab"), body, STANDARD_NOW, false),
                row("gitlab: empty", ReceiverType.GITLAB, List.of("gitlab-token"), null,
                        headers("X-Gitlab-Token", ""), body, STANDARD_NOW, false),
                row("harbor: auth header verbatim", ReceiverType.HARBOR, List.of("Bearer harbor-secret"), null,
                        headers("Authorization", "Bearer harbor-secret"), body, STANDARD_NOW, true),
                row("harbor: scheme in other case", ReceiverType.HARBOR, List.of("Bearer harbor-secret"), null,
                        headers("Authorization", "bearer harbor-secret"), body, STANDARD_NOW, false),
                row("generic-hmac: sha256", ReceiverType.GENERIC_HMAC, List.of("s3cr3t"), "sha256",
                        headers("X-Signature", "sha256=" + hex("HmacSHA256", "s3cr3t", body)), body, STANDARD_NOW,
                        true),
                row("generic-hmac: sha512", ReceiverType.GENERIC_HMAC, List.of("s3cr3t"), "sha512",
                        headers("X-Signature", "sha512=" + hex("HmacSHA512", "s3cr3t", body)), body, STANDARD_NOW,
                        true),
                row("generic-hmac: sha256 where sha512 is pinned", ReceiverType.GENERIC_HMAC, List.of("s3cr3t"),
                        "sha512", headers("X-Signature", "sha256=" + hex("HmacSHA256", "s3cr3t", body)), body,
                        STANDARD_NOW, false),
                row("generic-hmac: unknown algorithm", ReceiverType.GENERIC_HMAC, List.of("s3cr3t"), "sha256",
                        headers("X-Signature", "md5=" + hex("HmacMD5", "s3cr3t", body)), body, STANDARD_NOW, false),
                row("standard-webhooks: spec vector", ReceiverType.STANDARD_WEBHOOKS, List.of(STANDARD_SECRET), null,
                        standardHeaders("1614265330", STANDARD_SIGNATURE), STANDARD_BODY, STANDARD_NOW, true),
                row("standard-webhooks: key without whsec_", ReceiverType.STANDARD_WEBHOOKS,
                        List.of(STANDARD_SECRET.substring(6)), null, standardHeaders("1614265330", STANDARD_SIGNATURE),
                        STANDARD_BODY, STANDARD_NOW, true),
                row("standard-webhooks: one of several signatures", ReceiverType.STANDARD_WEBHOOKS,
                        List.of(STANDARD_SECRET), null,
                        standardHeaders("1614265330", "v1,Zm9v v2,abc " + STANDARD_SIGNATURE), STANDARD_BODY,
                        STANDARD_NOW, true),
                row("standard-webhooks: 4 minutes old", ReceiverType.STANDARD_WEBHOOKS, List.of(STANDARD_SECRET), null,
                        standardHeaders("1614265330", STANDARD_SIGNATURE), STANDARD_BODY,
                        STANDARD_NOW.plusSeconds(240), true),
                row("standard-webhooks: 6 minutes old", ReceiverType.STANDARD_WEBHOOKS, List.of(STANDARD_SECRET), null,
                        standardHeaders("1614265330", STANDARD_SIGNATURE), STANDARD_BODY,
                        STANDARD_NOW.plusSeconds(360), false),
                row("standard-webhooks: 6 minutes ahead", ReceiverType.STANDARD_WEBHOOKS, List.of(STANDARD_SECRET),
                        null, standardHeaders("1614265330", STANDARD_SIGNATURE), STANDARD_BODY,
                        STANDARD_NOW.minusSeconds(360), false),
                row("standard-webhooks: timestamp not a number", ReceiverType.STANDARD_WEBHOOKS,
                        List.of(STANDARD_SECRET), null, standardHeaders("yesterday", STANDARD_SIGNATURE), STANDARD_BODY,
                        STANDARD_NOW, false),
                row("standard-webhooks: v2 only", ReceiverType.STANDARD_WEBHOOKS, List.of(STANDARD_SECRET), null,
                        standardHeaders("1614265330", STANDARD_SIGNATURE.replace("v1,", "v2,")), STANDARD_BODY,
                        STANDARD_NOW, false),
                row("standard-webhooks: not base64", ReceiverType.STANDARD_WEBHOOKS, List.of(STANDARD_SECRET), null,
                        standardHeaders("1614265330", "v1,%%%"), STANDARD_BODY, STANDARD_NOW, false),
                row("standard-webhooks: no id", ReceiverType.STANDARD_WEBHOOKS, List.of(STANDARD_SECRET), null,
                        headers("webhook-timestamp", "1614265330", "webhook-signature", STANDARD_SIGNATURE),
                        STANDARD_BODY, STANDARD_NOW, false));
    }

    /** A delivery as a sender makes it, the receiver's secrets and pinned algorithm, and whether it verifies. */
    record Case(String name, ReceiverType type, List<String> secrets, String algorithm, Map<String, String> headers,
            String body, Instant now, boolean verified) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case row(String name, ReceiverType type, List<String> secrets, String algorithm,
            Map<String, String> headers, String body, Instant now, boolean verified) {
        return new Case(name, type, secrets, algorithm, headers, body, now, verified);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deliveries")
    void verifies(Case delivery) {
        ReceiverType.Request request = ReceiverType.Request.of(delivery.headers()::get,
                delivery.body().getBytes(StandardCharsets.UTF_8));
        List<byte[]> keys = delivery.secrets().stream().map(secret -> secret.getBytes(StandardCharsets.UTF_8))
                .toList();

        assertEquals(delivery.verified(), delivery.type().verify(request, keys, delivery.algorithm(), delivery.now()));
    }

    @Test
    void readsOnlyTheTopLevelTypeOfABody() {
        assertEquals("PUSH_ARTIFACT", ReceiverType.typeField(bytes("{\"type\":\"PUSH_ARTIFACT\",\"event_data\":{}}")));
        assertEquals("harbor.artifact.pushed",
                ReceiverType.typeField(bytes(
                        "{\"specversion\":\"1.0\",\"data\":{\"type\":\"x\"},\"type\":\"harbor.artifact.pushed\"}")));
        assertNull(ReceiverType.typeField(bytes("{\"event_data\":{\"type\":\"PUSH_ARTIFACT\"}}")));
        assertNull(ReceiverType.typeField(bytes("{\"type\":{\"name\":\"PUSH_ARTIFACT\"}}")));
        assertNull(ReceiverType.typeField(bytes("[\"type\"]")));
        assertNull(ReceiverType.typeField(bytes("{\"type\":")));
        assertNull(ReceiverType.typeField(new byte[]{0, (byte) 0xff}));
        assertNull(ReceiverType.typeField(new byte[0]));
    }

    @Test
    void namesEventsAndDeliveriesFromTheSendersHeaders() {
        var github = ReceiverType.Request.of(headers("X-GitHub-Event", "push", "X-GitHub-Delivery", "72d3162e")::get,
                new byte[0]);
        assertEquals("push", ReceiverType.GITHUB.event(github));
        assertEquals("72d3162e", ReceiverType.GITHUB.deliveryId(github));
        var gitlab = ReceiverType.Request.of(headers("X-Gitlab-Event", "Push Hook", "Idempotency-Key", "k-1")::get,
                new byte[0]);
        assertEquals("Push Hook", ReceiverType.GITLAB.event(gitlab));
        assertEquals("k-1", ReceiverType.GITLAB.deliveryId(gitlab));
        var nexus = ReceiverType.Request.of(headers("X-Nexus-Webhook-Id", "rm:repository:asset",
                "X-Nexus-Webhook-Delivery", "d-9")::get, new byte[0]);
        assertEquals("rm:repository:asset", ReceiverType.NEXUS.event(nexus));
        assertEquals("d-9", ReceiverType.NEXUS.deliveryId(nexus));
        var standard = ReceiverType.Request.of(standardHeaders("1", "v1,x")::get, bytes("{\"type\":\"chart.pushed\"}"));
        assertEquals("chart.pushed", ReceiverType.STANDARD_WEBHOOKS.event(standard));
        assertEquals("msg_p5jXN8AQM9LWM0D4loKWxJek", ReceiverType.STANDARD_WEBHOOKS.deliveryId(standard));
    }

    @Test
    void standardWebhooksKeyIsTheBase64AfterThePrefix() {
        byte[] key = ReceiverType.standardWebhooksKey(bytes(STANDARD_SECRET));
        assertEquals(STANDARD_SECRET.substring(6), Base64.getEncoder().encodeToString(key));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
