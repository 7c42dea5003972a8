package dev.apprepo.refresh.http;

public class MethodNotAllowedException extends RejectedRequestException {

    public MethodNotAllowedException(String message) {
        super(405, "MethodNotAllowed", message);
    }
}
