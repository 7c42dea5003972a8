package dev.apprepo.refresh.receiver;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.apprepo.refresh.support.Digests;

/** HMACs and comparisons in constant time: nothing about a secret may leak through how long a check takes. */
final class Signatures {

    private Signatures() {
    }

    static byte[] hmac(String algorithm, byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is part of every JVM", e);
        }
    }

    /** Lower or upper case hex of exactly {@code length} bytes, or null: a malformed signature matches nothing. */
    static byte[] hex(String value, int length) {
        if (value == null || value.length() != 2 * length) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException notHex) {
            return null;
        }
    }

    /** Whether {@code signature} is the HMAC of {@code parts} under any of the keys; every key is tried. */
    static boolean anyHmacMatches(String algorithm, List<byte[]> keys, byte[] signature, byte[]... parts) {
        if (signature == null) {
            return false;
        }
        boolean matched = false;
        for (byte[] key : keys) {
            matched |= MessageDigest.isEqual(hmac(algorithm, key, parts), signature);
        }
        return matched;
    }

    /**
     * Whether {@code presented} equals any of the secrets. Digests are compared, so that neither the content nor
     * the length of a secret shows in the time taken.
     */
    static boolean anyEquals(List<byte[]> secrets, String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] digest = Digests.sha256(presented.getBytes(StandardCharsets.UTF_8));
        boolean matched = false;
        for (byte[] secret : secrets) {
            matched |= MessageDigest.isEqual(Digests.sha256(secret), digest);
        }
        return matched;
    }
}
