package dev.apprepo.refresh.support;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.Message;

/** A request an update answers: its sender ({@code bearer} or a receiver type) and delivery id, if it has one. */
public record ServedRequest(String sender, String deliveryId) {

    /** Delivery ids named in a description; the rest are counted. */
    private static final int NAMED_DELIVERIES = 3;

    /**
     * The requests an update answers: those the coalescer put in {@link RefreshHeaders#SERVED}, else the one the
     * message itself is, as when the kamelet is called on its own.
     */
    @SuppressWarnings("unchecked")
    public static List<ServedRequest> of(Message update) {
        List<ServedRequest> served = update.getHeader(RefreshHeaders.SERVED, List.class);
        return served != null ? served : List.of(from(update));
    }

    /** The request a message is: its sender and delivery id, as the route set them. */
    public static ServedRequest from(Message request) {
        return new ServedRequest(request.getHeader(RefreshHeaders.SENDER, String.class),
                request.getHeader(RefreshHeaders.DELIVERY_ID, String.class));
    }

    /**
     * The requests that asked for the update: all it answers but those whose delivery the AppRepository had
     * already recorded ({@link RefreshHeaders#DUPLICATES}), each delivery once.
     */
    @SuppressWarnings("unchecked")
    public static List<ServedRequest> asking(Message update) {
        return asking(of(update), update.getHeader(RefreshHeaders.DUPLICATES, Set.of(), Collection.class));
    }

    /** The requests of {@code served} that ask for an update: each delivery once, none of {@code duplicates}. */
    public static List<ServedRequest> asking(List<ServedRequest> served, Collection<String> duplicates) {
        Set<String> deliveries = new HashSet<>(duplicates);
        return served.stream()
                .filter(request -> request.deliveryId() == null || deliveries.add(request.deliveryId()))
                .toList();
    }

    /**
     * "a github webhook (delivery d-1)" for one request; "1000 webhook requests (github 998, bearer 2; deliveries
     * d-1, d-2, d-3 and 995 more)" for a batch. A message that names no sender (the kamelet called on its own) is
     * "a request", and counts as "unnamed" in a batch.
     */
    public static String describe(List<ServedRequest> served) {
        List<String> deliveries = served.stream().map(ServedRequest::deliveryId).filter(Objects::nonNull).toList();
        String named = deliveries.stream().limit(NAMED_DELIVERIES).collect(Collectors.joining(", "));
        if (deliveries.size() > NAMED_DELIVERIES) {
            named += " and " + (deliveries.size() - NAMED_DELIVERIES) + " more";
        }
        if (served.size() == 1) {
            String sender = served.get(0).sender();
            return (sender == null ? "a request" : "a " + sender + " webhook")
                    + (named.isEmpty() ? "" : " (delivery " + named + ")");
        }
        Map<String, Integer> bySender = new LinkedHashMap<>();
        served.forEach(request -> bySender.merge(request.sender() == null ? "unnamed" : request.sender(), 1,
                Integer::sum));
        String senders = bySender.entrySet().stream().map(entry -> entry.getKey() + " " + entry.getValue())
                .collect(Collectors.joining(", "));
        return served.size() + " webhook requests (" + senders + (named.isEmpty() ? "" : "; deliveries " + named)
                + ")";
    }
}
