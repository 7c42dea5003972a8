package dev.apprepo.refresh.support;

/**
 * A setting or configuration file the service cannot start with. The message says what to fix and names the file
 * and entry, never a secret; it is all an operator needs, so no stack trace is kept.
 */
public class InvalidConfigurationException extends IllegalArgumentException {

    public InvalidConfigurationException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
