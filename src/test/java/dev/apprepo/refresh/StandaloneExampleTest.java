package dev.apprepo.refresh;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import dev.apprepo.refresh.kubernetes.CallerTokenCustomResourcesComponent;
import dev.apprepo.refresh.kubernetes.Cluster;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kamelet.KameletComponent;
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
 * The Camel JBang example of the README, loaded as Camel Main loads it: the properties file it documents, the
 * configuration class named there, then the routes.
 */
class StandaloneExampleTest extends CamelTestSupport {

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
        try (Reader example = Files.newBufferedReader(Path.of("examples/application.properties"))) {
            properties.load(example);
        }
        // what Camel reads from REFRESH_CLUSTERS_CONFIG and APPREPO_REFRESH_TOKEN
        properties.setProperty("refresh.clusters-config", RouteTestSupport.clustersFile(configDir,
                List.of(new Cluster("default", api.url(), null, false))).toString());
        properties.setProperty("apprepo.refresh.token", "file-token");
        context.getPropertiesComponent().setInitialProperties(properties);
        context.getComponent("kamelet", KameletComponent.class).setLocation("file:kamelet");
        configure(context, properties.getProperty("camel.main.configuration-classes"));
        return context;
    }

    /** As Camel Main does with camel.main.configuration-classes. */
    private static void configure(CamelContext context, String configurationClass) throws Exception {
        ((CamelConfiguration) Class.forName(configurationClass).getDeclaredConstructor().newInstance())
                .configure(context);
    }

    @Test
    void refreshesWithTheProjectsComponent() throws Exception {
        api.seed("kubeapps", "bitnami");
        PluginHelper.getRoutesLoader(context).loadRoutes(
                ResourceHelper.resolveMandatoryResource(context, "file:examples/refresh-from-webhook.camel.yaml"));
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
