package dev.apprepo.refresh.support;

/** A request an update answers: its sender ({@code bearer} or a receiver type) and delivery id, if it has one. */
public record ServedRequest(String sender, String deliveryId) {
}
