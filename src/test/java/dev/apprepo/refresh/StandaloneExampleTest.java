package dev.apprepo.refresh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import dev.apprepo.refresh.kubernetes.CallerTokenCustomResourcesComponent;
import dev.apprepo.refresh.kubernetes.Clusters;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Camel JBang example of the README, loaded as Camel JBang would, with the clusters file it documents. */
class StandaloneExampleTest extends CamelTestSupport {

    static KubeappsApi api;
    static Path clustersFile;

    @BeforeAll
    static void start() throws Exception {
        api = new KubeappsApi(false);
        clustersFile = Files.createTempFile("clusters", ".conf");
        Files.writeString(clustersFile, "[{\"name\": \"default\", \"apiServiceURL\": \"" + api.url() + "\"}]");
        System.setProperty(Clusters.CONFIG_VARIABLE, clustersFile.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty(Clusters.CONFIG_VARIABLE);
        Files.delete(clustersFile);
        api.close();
    }

    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        // what Camel reads from APPREPO_REFRESH_TOKEN when the property is not set otherwise
        Properties properties = new Properties();
        properties.setProperty("apprepo.refresh.token", "file-token");
        context.getPropertiesComponent().setInitialProperties(properties);
        context.getComponent("kamelet", KameletComponent.class).setLocation("file:kamelet");
        return context;
    }

    @Test
    void refreshesWithTheProjectsComponentDeclaredAsABean() throws Exception {
        api.seed("kubeapps", "bitnami");
        PluginHelper.getRoutesLoader(context).loadRoutes(
                ResourceHelper.resolveMandatoryResource(context, "file:examples/refresh-from-webhook.camel.yaml"));
        AdviceWith.adviceWith(context, "harbor-to-refresh", route -> route.replaceFromWith("direct:harbor"));
        context.start();
        api.takeCalls();

        var exchange = template.send("direct:harbor", e -> e.getIn().setBody("{\"type\":\"PUSH_ARTIFACT\"}"));

        assertNull(exchange.getException());
        assertInstanceOf(CallerTokenCustomResourcesComponent.class, context.getComponent("kubernetes-custom-resources"));
        assertEquals(1, api.resyncRequests("kubeapps", "bitnami"));
        assertEquals("Bearer file-token", api.takeCalls().get(0).authorization());
    }
}
