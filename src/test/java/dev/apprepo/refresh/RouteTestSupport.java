package dev.apprepo.refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.support.RefreshHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Plain Camel, as Camel JBang and Camel K run it, over the very files in {@code routes/} and {@code kamelet/} and
 * with the parts the service builds ({@link RefreshParts}, from settings and a clusters file): the HTTP consumer is
 * advised into {@code direct:webhook}, everything behind it is real down to the test API.
 */
abstract class RouteTestSupport extends CamelTestSupport {

    static final String WEBHOOK_ROUTE = "apprepository-refresh-webhook";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path configDir;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** The clusters file of the test: the test API as "default", or what a test needs. */
    abstract List<Cluster> clusters();

    /** Settings beyond the clusters file, by property name. */
    Map<String, String> settings() {
        return Map.of();
    }

    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Map<String, String> settings = new HashMap<>(settings());
        settings.put("refresh.clusters-config", clustersFile(configDir, clusters()).toString());
        bindParts(context, settings, meters);
        return context;
    }

    /**
     * Binds the parts the service builds, from these settings, into a plain CamelContext, with the project's
     * kamelet: what every route test runs on.
     */
    static void bindParts(CamelContext context, Map<String, String> settings, MeterRegistry meters) {
        context.getComponent("kamelet", KameletComponent.class).setLocation("file:kamelet");
        RefreshParts.builder(RefreshSettings.from(name -> Optional.ofNullable(settings.get(name))))
                .ambientConfig(() -> fail("no ambient config in route tests"))
                .environment(name -> null)
                .meterRegistry(meters)
                .build()
                .bindTo(context);
    }

    /** A clusters file in Kubeapps' format, listing these clusters. */
    static Path clustersFile(Path dir, List<Cluster> clusters) {
        try {
            return write(dir.resolve("clusters.conf"), JSON.writeValueAsString(clusters));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file in the test's configuration directory. */
    Path write(String name, String content) {
        return write(configDir.resolve(name), content);
    }

    private static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
            route.mockEndpoints(RefreshParts.REFRESH_ENDPOINT);
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

    /** The value of one of the service's gauges, as /q/metrics would show it. */
    double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    static int statusCode(Exchange response) {
        return response.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
    }
}
