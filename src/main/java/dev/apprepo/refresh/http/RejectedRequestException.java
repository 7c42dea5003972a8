package dev.apprepo.refresh.http;

/** A request refused before any API call; the subclasses exist so that routes can throw them by type. */
public abstract class RejectedRequestException extends RuntimeException {

    private final int code;
    private final String reason;

    protected RejectedRequestException(int code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // a client's mistake, answered with its message: a stack trace would only cost time
        return this;
    }
}
