package dev.apprepo.refresh.kubernetes;

import java.util.function.Supplier;

import dev.apprepo.refresh.support.RefreshMetrics;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.ResourceNotFoundException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.KubernetesConstants;
import org.apache.camel.component.kubernetes.KubernetesHelper;
import org.apache.camel.component.kubernetes.KubernetesOperations;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesEndpoint;
import org.apache.camel.component.kubernetes.customresources.KubernetesCustomResourcesProducer;
import org.apache.camel.util.ObjectHelper;

/**
 * The get and update operations of {@code kubernetes-custom-resources}, done the way a read-modify-write needs them:
 * <ul>
 * <li>the API is called with the caller's token (variable {@value #TOKEN_VARIABLE}) on the cluster named by the
 * header {@value #CLUSTER_HEADER} or else the endpoint path, through a pooled client;</li>
 * <li>get returns the whole object as JSON, apiVersion, kind and metadata included;</li>
 * <li>update sends the resourceVersion it was given and fails on 409 Conflict instead of overwriting;</li>
 * <li>API errors surface as {@link KubernetesClientException} with the API server's own Status.</li>
 * </ul>
 * The other operations need no locking and are left to the stock component.
 */
public class CallerTokenCustomResourcesProducer extends KubernetesCustomResourcesProducer {

    /** Header naming the configured cluster to call; the endpoint path is the default. */
    public static final String CLUSTER_HEADER = "CamelKubernetesClusterName";
    /** Exchange variable holding the caller's bearer token; a variable never leaves the exchange. */
    public static final String TOKEN_VARIABLE = "kubernetesOauthToken";

    private final KubernetesClientPool clients;
    private final RefreshMetrics metrics;

    CallerTokenCustomResourcesProducer(KubernetesCustomResourcesEndpoint endpoint, KubernetesClientPool clients,
            RefreshMetrics metrics) {
        super(endpoint);
        this.clients = clients;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        String operation = KubernetesHelper.extractOperation(getEndpoint(), exchange);
        Message in = exchange.getIn();
        String namespace = option(configuration().getNamespace(), in, KubernetesConstants.KUBERNETES_NAMESPACE_NAME);
        if (ObjectHelper.isEmpty(namespace)) {
            throw new IllegalArgumentException("a namespace is required");
        }
        switch (operation) {
            case KubernetesOperations.GET_CUSTOMRESOURCE -> doGet(exchange, namespace);
            case KubernetesOperations.UPDATE_CUSTOMRESOURCE -> doUpdate(exchange, namespace);
            default -> throw new UnsupportedOperationException(
                    "operation " + operation + " is not supported: use getCustomResource or updateCustomResource");
        }
    }

    @Override
    protected void doGet(Exchange exchange, String namespace) {
        String name = exchange.getIn().getHeader(KubernetesConstants.KUBERNETES_CRD_INSTANCE_NAME, String.class);
        if (ObjectHelper.isEmpty(name)) {
            throw new IllegalArgumentException("a custom resource name is required");
        }
        String cluster = cluster(exchange);
        try (KubernetesClientPool.Lease lease = lease(cluster, exchange)) {
            KubernetesClient client = lease.client();
            var resources = resources(client, exchange).inNamespace(namespace).withName(name);
            GenericKubernetesResource resource = timed("get", cluster, () -> {
                try {
                    return resources.require();
                } catch (ResourceNotFoundException e) {
                    // require() hides the API's 404 or 403 Status in the cause; hand it on as the API sent it
                    throw e.getCause() instanceof KubernetesClientException apiError ? apiError : e;
                }
            });
            setResult(exchange, client.getKubernetesSerialization().asJson(resource));
        }
    }

    @Override
    protected void doUpdate(Exchange exchange, String namespace) {
        String instance = exchange.getIn().getHeader(KubernetesConstants.KUBERNETES_CRD_INSTANCE, String.class);
        if (ObjectHelper.isEmpty(instance)) {
            throw new IllegalArgumentException("the custom resource to update is required in header "
                    + KubernetesConstants.KUBERNETES_CRD_INSTANCE);
        }
        String cluster = cluster(exchange);
        try (KubernetesClientPool.Lease lease = lease(cluster, exchange)) {
            KubernetesClient client = lease.client();
            GenericKubernetesResource resource = client.getKubernetesSerialization().unmarshal(instance,
                    GenericKubernetesResource.class);
            if (resource.getMetadata() == null || ObjectHelper.isEmpty(resource.getMetadata().getResourceVersion())) {
                // without it fabric8 reads the latest version and writes over whatever changed in between
                throw new IllegalArgumentException(
                        "an update needs the resourceVersion of the object it was read from");
            }
            var update = resources(client, exchange).inNamespace(namespace).resource(resource);
            GenericKubernetesResource updated;
            try {
                updated = timed("update", cluster, update::update);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    metrics.conflict(cluster);
                }
                throw e;
            }
            setResult(exchange, client.getKubernetesSerialization().asJson(updated));
        }
    }

    private String cluster(Exchange exchange) {
        String cluster = exchange.getIn().getHeader(CLUSTER_HEADER, String.class);
        return ObjectHelper.isEmpty(cluster) ? configuration().getMasterUrl() : cluster;
    }

    private KubernetesClientPool.Lease lease(String cluster, Exchange exchange) {
        return clients.lease(cluster, exchange.getVariable(TOKEN_VARIABLE, String.class));
    }

    /** Runs one API call, timed by operation, cluster and outcome (the HTTP code of a failure). */
    private <T> T timed(String operation, String cluster, Supplier<T> call) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = call.get();
            outcome = "success";
            return result;
        } catch (KubernetesClientException e) {
            outcome = e.getCode() > 0 ? String.valueOf(e.getCode()) : "error";
            throw e;
        } finally {
            metrics.apiCall(operation, cluster, outcome, System.nanoTime() - start);
        }
    }

    /** The resource type, from the endpoint options or else the CRD headers (the stock producer ignores options). */
    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> resources(
            KubernetesClient client, Exchange exchange) {
        Message in = exchange.getIn();
        KubernetesConfiguration config = configuration();
        String group = option(config.getCrdGroup(), in, KubernetesConstants.KUBERNETES_CRD_GROUP);
        String version = option(config.getCrdVersion(), in, KubernetesConstants.KUBERNETES_CRD_VERSION);
        String plural = option(config.getCrdPlural(), in, KubernetesConstants.KUBERNETES_CRD_PLURAL);
        String scope = option(config.getCrdScope(), in, KubernetesConstants.KUBERNETES_CRD_SCOPE);
        if (ObjectHelper.isEmpty(group) || ObjectHelper.isEmpty(version) || ObjectHelper.isEmpty(plural)) {
            throw new IllegalArgumentException("the custom resource's group, version and plural are required");
        }
        return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withPlural(plural)
                .withNamespaced(!"Cluster".equalsIgnoreCase(scope))
                .build());
    }

    private static void setResult(Exchange exchange, String json) {
        exchange.getMessage().setBody(json);
    }

    private KubernetesConfiguration configuration() {
        return getEndpoint().getKubernetesConfiguration();
    }

    /** The endpoint option when set, else the header, as the stock component documents it. */
    private static String option(String endpointValue, Message in, String header) {
        return ObjectHelper.isEmpty(endpointValue) ? in.getHeader(header, String.class) : endpointValue;
    }
}
