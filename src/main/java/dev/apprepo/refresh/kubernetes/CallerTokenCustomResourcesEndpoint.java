package dev.apprepo.refresh.kubernetes;

import dev.apprepo.refresh.support.RefreshMetrics;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesEndpoint;

class CallerTokenCustomResourcesEndpoint extends KubernetesCustomResourcesEndpoint {

    private final KubernetesClientPool clients;
    private final RefreshMetrics metrics;

    CallerTokenCustomResourcesEndpoint(String uri, CallerTokenCustomResourcesComponent component,
            KubernetesConfiguration config, KubernetesClientPool clients,
            RefreshMetrics metrics) {
        super(uri, component, config);
        this.clients = clients;
        this.metrics = metrics;
    }

    @Override
    public Producer createProducer() {
        return new CallerTokenCustomResourcesProducer(this, clients, metrics);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("this kubernetes-custom-resources endpoint only produces");
    }

    @Override
    protected void doStart() {
        // The stock endpoint builds one client from the URI options here (and logs them, token included, at
        // DEBUG); clients come from the pool instead, one per cluster and caller token.
    }

    @Override
    protected void doStop() {
        // pooled clients are closed by the pool
    }
}
