package dev.apprepo.refresh.support;

/**
 * The headers a refresh request carries through the routes. All start with "Camel": Camel's HTTP consumers drop
 * such headers, query parameters and form fields from requests, and never write them to a response, so only the
 * routes can set them and no client ever sees them.
 */
public final class RefreshHeaders {

    /** The path parameters, and the kamelet's inputs. */
    public static final String CLUSTER = "CamelKubeappsCluster";
    public static final String NAMESPACE = "CamelKubeappsNamespace";
    public static final String REPOSITORY = "CamelKubeappsRepository";
    /** The credential the refresh uses: the caller's bearer token or the service's own. */
    public static final String TOKEN = "CamelKubeappsToken";

    /** {@code bearer}, or the type of the receiver that verified the delivery. */
    public static final String SENDER = "CamelKubeappsSender";
    public static final String RECEIVER = "CamelKubeappsReceiver";
    public static final String EVENT = "CamelKubeappsEvent";
    public static final String EVENT_ACCEPTED = "CamelKubeappsEventAccepted";
    public static final String DELIVERY_ID = "CamelKubeappsDeliveryId";

    /** On an update: the {@link ServedRequest}s it answers. */
    public static final String SERVED = "CamelKubeappsServed";
    /**
     * After an update: the delivery ids among those it answers that the AppRepository had recorded already. They
     * did not count; when every request was such a delivery, nothing was written.
     */
    public static final String DUPLICATES = "CamelKubeappsDuplicates";
    /** On an answered request: true when its delivery had been accepted before, and it refreshed nothing. */
    public static final String DUPLICATE = "CamelKubeappsDuplicate";
    /** On an answered request: how many requests the update that answered it served. */
    public static final String SERVED_COUNT = "CamelKubeappsServedCount";

    private RefreshHeaders() {
    }
}
