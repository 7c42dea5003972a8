package dev.apprepo.refresh.kubernetes;

public class MissingCallerTokenException extends RuntimeException {

    public MissingCallerTokenException() {
        super("a bearer token is required: the caller's own credential decides what it may refresh");
    }
}
