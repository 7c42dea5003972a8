package dev.apprepo.refresh.kubernetes;

import dev.apprepo.refresh.support.RefreshMetrics;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesComponent;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesComponentConfigurer;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesEndpoint;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesEndpointConfigurer;
import org.apache.camel.spi.PropertyConfigurer;

/**
 * {@code kubernetes-custom-resources} whose producer calls the API with the caller's token from a pooled client.
 * Register it under the component's own name so that routes and kamelets keep the standard URI.
 * <p>
 * The endpoint path names a configured cluster rather than an API URL; {@code oauthToken} and
 * {@code kubernetesClient} are not used, so no credential ever sits in an endpoint URI or the endpoint registry.
 */
public class CallerTokenCustomResourcesComponent extends KubernetesCustomResourcesComponent {

    private static final PropertyConfigurer COMPONENT_OPTIONS = new KubernetesCustomResourcesComponentConfigurer();
    private static final PropertyConfigurer ENDPOINT_OPTIONS = new KubernetesCustomResourcesEndpointConfigurer();

    private final KubernetesClientPool clients;
    private final RefreshMetrics metrics;

    public CallerTokenCustomResourcesComponent(KubernetesClientPool clients, RefreshMetrics metrics) {
        this.clients = clients;
        this.metrics = metrics;
        // the stock component would pick up a KubernetesClient from the registry and call with its credentials
        setAutowiredEnabled(false);
    }

    @Override
    protected KubernetesCustomResourcesEndpoint doCreateEndpoint(String uri, String remaining,
            KubernetesConfiguration config) {
        return new CallerTokenCustomResourcesEndpoint(uri, this, config, clients, metrics);
    }

    // Camel finds a component's generated option setters by its @Component annotation, which a subclass lacks
    @Override
    public PropertyConfigurer getComponentPropertyConfigurer() {
        return COMPONENT_OPTIONS;
    }

    @Override
    public PropertyConfigurer getEndpointPropertyConfigurer() {
        return ENDPOINT_OPTIONS;
    }
}
