package dev.apprepo.refresh.receiver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a receiver's secret comes from: {@code file:<path>} (read again when the file changes),
 * {@code env:<variable>}, or else the value itself.
 */
sealed interface SecretSource {

    byte[] value();

    /** Where it comes from, for error messages: never the secret. */
    String origin();

    static SecretSource parse(String spec, Function<String, String> environment) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("a secret is empty");
        }
        if (spec.startsWith("file:")) {
            Path path = Path.of(spec.substring("file:".length()));
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException("secret file " + path + " cannot be read");
            }
            return new FromFile(new WatchedFile(path));
        }
        if (spec.startsWith("env:")) {
            String variable = spec.substring("env:".length());
            String value = environment.apply(variable);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("secret variable " + variable + " is not set");
            }
            return new Inline(value, "environment variable " + variable);
        }
        return new Inline(spec, "inline value");
    }

    record Inline(String secret, String origin) implements SecretSource {

        @Override
        public byte[] value() {
            return secret.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return origin;
        }
    }

    record FromFile(WatchedFile file) implements SecretSource {

        @Override
        public byte[] value() {
            return file.content().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String origin() {
            return "file " + file.path();
        }

        @Override
        public String toString() {
            return origin();
        }
    }
}
