package dev.apprepo.refresh.http;

public class BadRequestException extends RejectedRequestException {

    public BadRequestException(String message) {
        super(400, "BadRequest", message);
    }
}
