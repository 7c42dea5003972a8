package dev.apprepo.refresh.http;

public class UnauthorizedException extends RejectedRequestException {

    public UnauthorizedException(String message) {
        super(401, "Unauthorized", message);
    }
}
