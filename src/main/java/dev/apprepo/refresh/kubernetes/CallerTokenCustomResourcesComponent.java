package dev.apprepo.refresh.kubernetes;

import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesComponent;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesEndpoint;

/**
 * {@code kubernetes-custom-resources} whose producer calls the API with the caller's token from a pooled client.
 * Register it under the component's own name so that routes and kamelets keep the standard URI.
 * <p>
 * The endpoint path names a configured cluster rather than an API URL; {@code oauthToken} and
 * {@code kubernetesClient} are not used, so no credential ever sits in an endpoint URI or the endpoint registry.
 */
public class CallerTokenCustomResourcesComponent extends KubernetesCustomResourcesComponent {

    private final KubernetesClientPool clients;

    public CallerTokenCustomResourcesComponent(KubernetesClientPool clients) {
        this.clients = clients;
        // the stock component would pick up a KubernetesClient from the registry and call with its credentials
        setAutowiredEnabled(false);
    }

    @Override
    protected KubernetesCustomResourcesEndpoint doCreateEndpoint(String uri, String remaining,
                                                                 KubernetesConfiguration config) {
        return new CallerTokenCustomResourcesEndpoint(uri, this, config, clients);
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        clients.close();
    }
}
