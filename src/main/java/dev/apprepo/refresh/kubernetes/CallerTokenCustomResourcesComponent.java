package dev.apprepo.refresh.kubernetes;

import java.util.Map;

import dev.apprepo.refresh.support.RefreshMetrics;
import org.apache.camel.Endpoint;
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
 * <p>
 * Only this component takes the option {@value #CALLER_TOKEN_ONLY}{@code =true}: an endpoint that names it is refused
 * by Camel's own component when it is created, at route start, before any client exists. The kamelet names it, so
 * that it never runs on a component that would call the API with another credential.
 */
public class CallerTokenCustomResourcesComponent extends KubernetesCustomResourcesComponent {

    /** The endpoint option that only this component accepts. */
    public static final String CALLER_TOKEN_ONLY = "callerTokenOnly";

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
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Object callerTokenOnly = parameters.remove(CALLER_TOKEN_ONLY);
        if (callerTokenOnly != null && !"true".equals(callerTokenOnly.toString())) {
            throw new IllegalArgumentException(
                    CALLER_TOKEN_ONLY + " is " + callerTokenOnly
                            + ": this component only calls with the caller's token");
        }
        return super.createEndpoint(uri, remaining, parameters);
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
