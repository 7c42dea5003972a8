package dev.apprepo.refresh.http;

import dev.apprepo.refresh.RefreshHeaders;
import dev.apprepo.refresh.RefreshMetrics;
import dev.apprepo.refresh.kubernetes.Clusters;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Counts each answered request; a cluster the request named but the service does not know counts as unknown. */
public class RequestMetrics {

    private final Clusters clusters;

    public RequestMetrics(Clusters clusters) {
        this.clusters = clusters;
    }

    public void record(Exchange exchange) {
        Message message = exchange.getMessage();
        String cluster = message.getHeader(RefreshHeaders.CLUSTER, String.class);
        RefreshMetrics.request(message.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class),
                clusters.contains(cluster) ? cluster : RefreshMetrics.UNKNOWN,
                message.getHeader(RefreshHeaders.SENDER, String.class));
    }
}
