package dev.apprepo.refresh;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.apprepo.refresh.http.KubernetesStatusErrors;
import dev.apprepo.refresh.http.RequestMetrics;
import dev.apprepo.refresh.http.WebhookCredentials;
import dev.apprepo.refresh.kubernetes.CallerTokenCustomResourcesComponent;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.Clusters;
import dev.apprepo.refresh.kubernetes.KubernetesClientPool;
import dev.apprepo.refresh.receiver.DeliveryLog;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Plain Camel, as Camel JBang and Camel K run it, over the very files in {@code routes/} and {@code kamelet/}:
 * the HTTP consumer is advised into {@code direct:webhook}, everything behind it is real down to the test API.
 */
abstract class RouteTestSupport extends CamelTestSupport {

    static final String WEBHOOK_ROUTE = "apprepository-refresh-webhook";

    /** Overridden by tests that need more clusters than "default" on the test API. */
    abstract List<Cluster> clusters();

    Duration apiTimeout() {
        return Duration.ofSeconds(10);
    }

    /** Overridden by tests of signed deliveries. */
    WebhookCredentials webhookCredentials() {
        return WebhookCredentials.bearerOnly();
    }

    KubernetesClientPool clients;

    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Properties properties = new Properties();
        properties.setProperty("refresh.max-attempts", "5");
        context.getPropertiesComponent().setInitialProperties(properties);
        context.getComponent("kamelet", KameletComponent.class).setLocation("file:kamelet");
        clients = new KubernetesClientPool(Clusters.of(clusters(), () -> fail("no ambient config in route tests")),
                new VertxHttpClientFactory(), 16, Duration.ofMinutes(1), apiTimeout());
        context.addComponent("kubernetes-custom-resources", new CallerTokenCustomResourcesComponent(clients));
        context.getRegistry().bind("refreshAudit", new RefreshAudit(clients, 100));
        context.getRegistry().bind("refreshCoalescer", new RefreshCoalescer("direct:refresh-apprepository", Duration.ofSeconds(1)));
        context.getRegistry().bind("kubernetesStatusErrors", new KubernetesStatusErrors());
        context.getRegistry().bind("webhookCredentials", webhookCredentials());
        context.getRegistry().bind("requestMetrics", new RequestMetrics(Clusters.of(clusters(), () -> null)));
        context.getRegistry().bind("deliveryLog", new DeliveryLog(Duration.ofHours(24), 1000));
        return context;
    }

    /**
     * Loads the YAML routes, puts {@code direct:webhook} in place of the HTTP consumer, mocks
     * {@code direct:refresh-apprepository} as {@code mock:direct:refresh-apprepository} and starts Camel.
     */
    void startRoutes() throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(
                ResourceHelper.resolveMandatoryResource(context, "file:routes/refresh-webhook.camel.yaml"));
        AdviceWith.adviceWith(context, WEBHOOK_ROUTE, route -> {
            route.replaceFromWith("direct:webhook");
            // counts the refreshes the route asks for; they still run
            route.mockEndpoints("direct:refresh-apprepository");
        });
        context.start();
    }

    /** A webhook request as platform-http hands it to the route: method, headers, path parameters and body. */
    Exchange post(String method, String authorization, String cluster, String namespace, String name, Object body) {
        return send(method, authorization == null ? Map.of() : Map.of("Authorization", authorization), cluster,
                namespace, name, body);
    }

    Exchange send(String method, Map<String, String> headers, String cluster, String namespace, String name,
                  Object body) {
        return template.send("direct:webhook", exchange -> {
            var in = exchange.getIn();
            in.setHeader(Exchange.HTTP_METHOD, method);
            in.getHeaders().putAll(headers);
            in.getHeaders().putAll(Map.of(RefreshHeaders.CLUSTER, cluster, RefreshHeaders.NAMESPACE, namespace,
                    RefreshHeaders.REPOSITORY, name));
            in.setBody(body);
        });
    }

    static int statusCode(Exchange response) {
        return response.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
    }
}
