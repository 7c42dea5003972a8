package dev.apprepo.refresh;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import dev.apprepo.refresh.kubernetes.CallerTokenCustomResourcesComponent;
import dev.apprepo.refresh.kubernetes.Cluster;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The Camel JBang example of the README, loaded in the order Camel Main loads it: the beans the file declares, then
 * each {@link CamelConfiguration} of the registry, then the routes. {@code KameletMainIT} runs it on Camel's own
 * runner.
 */
class StandaloneExampleTest extends CamelTestSupport {

    private static final String EXAMPLE = "file:examples/refresh-from-webhook.camel.yaml";

    @RegisterExtension
    static final KubeappsApi api = new KubeappsApi(false);

    @TempDir
    Path configDir;

    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Properties properties = new Properties();
        // what Camel reads from REFRESH_CLUSTERS_CONFIG and APPREPO_REFRESH_TOKEN
        properties.setProperty("refresh.clusters-config", RouteTestSupport.clustersFile(configDir,
                List.of(new Cluster("default", api.url(), null, false))).toString());
        properties.setProperty("apprepo.refresh.token", "file-token");
        context.getPropertiesComponent().setInitialProperties(properties);
        context.getComponent("kamelet", KameletComponent.class).setLocation("file:kamelet");
        return context;
    }

    @Test
    void refreshesWithTheProjectsComponent() throws Exception {
        api.seed("kubeapps", "bitnami");
        Resource example = ResourceHelper.resolveMandatoryResource(context, EXAMPLE);
        PluginHelper.getRoutesLoader(context).preParseRoute(example, false);
        for (CamelConfiguration configuration : context.getRegistry().findByType(CamelConfiguration.class)) {
            configuration.configure(context);
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(example);
        AdviceWith.adviceWith(context, "harbor-to-refresh", route -> route.replaceFromWith("direct:harbor"));
        context.start();
        api.takeCalls();

        var exchange = template.send("direct:harbor", e -> e.getIn().setBody("{\"type\":\"PUSH_ARTIFACT\"}"));

        assertNull(exchange.getException());
        assertInstanceOf(CallerTokenCustomResourcesComponent.class,
                context.getComponent("kubernetes-custom-resources"));
        assertEquals(1, api.resyncRequests("kubeapps", "bitnami"));
        assertEquals("Bearer file-token", api.takeCalls().get(0).authorization());
    }
}
