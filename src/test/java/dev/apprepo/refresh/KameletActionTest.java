package dev.apprepo.refresh;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apprepo.refresh.KubeappsApi.ApiCall;
import dev.apprepo.refresh.kubernetes.Cluster;
import dev.apprepo.refresh.kubernetes.ResyncRequests;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The action kamelet on its own, as a Camel K Pipe or a Camel JBang route uses it. */
class KameletActionTest extends CamelTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    @TempDir
    Path configDir;

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Path clusters = RouteTestSupport.clustersFile(configDir,
                List.of(new Cluster("default", api.url(), null, false)));
        RouteTestSupport.bindParts(context, Map.of("refresh.clusters-config", clusters.toString()),
                new SimpleMeterRegistry());
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {

            @Override
            public void configure() {
                // failures are the caller's, as in a Pipe's own error handling
                errorHandler(noErrorHandler());
                // a Pipe with a fixed repository and its token from a Secret
                from("direct:pipe")
                        .to("kamelet:apprepository-refresh-action?namespace=kubeapps&repository=piped&token=pipe-token");
                // everything per message
                from("direct:headers").to("kamelet:apprepository-refresh-action");
            }
        };
    }

    @Test
    void refreshesTheRepositoryNamedByItsProperties() throws Exception {
        api.seed("kubeapps", "piped");
        api.takeCalls();

        Exchange exchange = template.send("direct:pipe", e -> e.getIn().setBody("{\"type\":\"PUSH_ARTIFACT\"}"));

        assertNull(exchange.getException());
        assertEquals(1, JSON.readTree(exchange.getMessage().getBody(String.class)).at("/spec/resyncRequests").asInt());
        assertEquals(1, api.resyncRequests("kubeapps", "piped"));
        assertEquals("Bearer pipe-token", api.takeCalls().get(0).authorization());
    }

    @Test
    void propertiesWinOverHeaders() throws Exception {
        api.seed("kubeapps", "piped");
        api.seed("kubeapps", "other");

        template.send("direct:pipe", e -> e.getIn().getHeaders().putAll(Map.of(
                "CamelKubeappsRepository", "other", "CamelKubeappsToken", "header-token")));

        assertEquals(1, api.resyncRequests("kubeapps", "piped"));
        assertEquals(0, api.resyncRequests("kubeapps", "other"));
    }

    @Test
    void refreshesTheRepositoryNamedByHeadersAndDropsTheTokenHeader() throws Exception {
        api.seed("team-a", "charts");
        api.takeCalls();

        Exchange exchange = template.send("direct:headers", e -> e.getIn().getHeaders().putAll(Map.of(
                "CamelKubeappsCluster", "default", "CamelKubeappsNamespace", "team-a",
                "CamelKubeappsRepository", "charts", "CamelKubeappsToken", "header-token")));

        assertNull(exchange.getException());
        JsonNode repository = JSON.readTree(exchange.getMessage().getBody(String.class));
        assertEquals("charts", repository.at("/metadata/name").asText());
        assertEquals(1, api.resyncRequests("team-a", "charts"));
        assertEquals("Bearer header-token", api.takeCalls().get(0).authorization());
        assertNull(exchange.getMessage().getHeader("CamelKubeappsToken"));
        assertNull(exchange.getVariable("kubernetesOauthToken"));
    }

    @Test
    void failsTheExchangeWithTheApisError() {
        Exchange exchange = template.send("direct:headers", e -> e.getIn().getHeaders().putAll(Map.of(
                "CamelKubeappsNamespace", "kubeapps", "CamelKubeappsRepository", "missing",
                "CamelKubeappsToken", "header-token")));

        assertEquals(404, assertInstanceOf(KubernetesClientException.class, exchange.getException()).getCode());
    }

    @Test
    void recordsTheDeliveryAndRefreshesOnceForIt() throws Exception {
        api.seed("kubeapps", "piped");
        api.takeCalls();
        Map<String, Object> delivery = Map.of("CamelKubeappsDeliveryId", "d-1", "CamelKubeappsSender", "harbor");

        Exchange first = template.send("direct:pipe", e -> e.getIn().getHeaders().putAll(delivery));
        Exchange again = template.send("direct:pipe", e -> e.getIn().getHeaders().putAll(delivery));

        assertNull(again.getException());
        assertEquals(Set.of(), first.getMessage().getHeader("CamelKubeappsDuplicates"));
        assertEquals(Set.of("d-1"), again.getMessage().getHeader("CamelKubeappsDuplicates"));
        assertEquals(List.of("GET", "PUT", "GET"), api.takeCalls().stream().map(ApiCall::method).toList());
        assertEquals(1, api.resyncRequests("kubeapps", "piped"));
        Map<String, String> annotations = api.get("kubeapps", "piped").getMetadata().getAnnotations();
        assertTrue(annotations.get(ResyncRequests.DELIVERIES).startsWith("{\"d-1\":"),
                annotations.get(ResyncRequests.DELIVERIES));
        assertEquals("a harbor webhook (delivery d-1)", annotations.get(ResyncRequests.REQUESTED_BY));
        assertEquals(1, JSON.readTree(again.getMessage().getBody(String.class)).at("/spec/resyncRequests").asInt(),
                "the output is the object as read when nothing was written");
    }
}
