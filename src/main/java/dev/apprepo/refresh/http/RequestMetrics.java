package dev.apprepo.refresh.http;

import dev.apprepo.refresh.kubernetes.Clusters;
import dev.apprepo.refresh.support.RefreshHeaders;
import dev.apprepo.refresh.support.RefreshMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Counts each answered request; a cluster the request named but the service does not know counts as unknown. */
public class RequestMetrics {

    private final Clusters clusters;
    private final RefreshMetrics metrics;

    public RequestMetrics(Clusters clusters, RefreshMetrics metrics) {
        this.clusters = clusters;
        this.metrics = metrics;
    }

    public void record(Exchange exchange) {
        Message message = exchange.getMessage();
        String cluster = message.getHeader(RefreshHeaders.CLUSTER, String.class);
        metrics.request(message.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class),
                clusters.contains(cluster) ? cluster : RefreshMetrics.UNKNOWN,
                message.getHeader(RefreshHeaders.SENDER, String.class));
    }
}
