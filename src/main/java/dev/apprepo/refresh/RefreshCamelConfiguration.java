package dev.apprepo.refresh;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Binds the parts into a CamelContext before Camel Main loads the routes: the routes declare it in their
 * {@code beans:} block, and Camel Main runs every {@link CamelConfiguration} of its registry (Camel JBang, Camel K,
 * the Quarkus service alike); {@code camel.main.configuration-classes} may name it too, for a Pipe or other routes that
 * do not declare it. The parts a runtime built itself, found in the registry, are bound as they are (the Quarkus
 * service builds them on Quarkus' Vert.x and configuration); elsewhere they are built from Camel's properties, which
 * read the environment too ({@code REFRESH_CLUSTERS_CONFIG} for {@code refresh.clusters-config}).
 */
public class RefreshCamelConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        if (context.hasService(RefreshParts.class) != null) {
            // named both in the routes and in camel.main.configuration-classes: the parts are bound once
            return;
        }
        RefreshParts parts = context.getRegistry().findSingleByType(RefreshParts.class);
        if (parts == null) {
            RefreshSettings settings = RefreshSettings
                    .from(name -> context.getPropertiesComponent().resolveProperty(name));
            parts = RefreshParts.builder(settings).build();
        }
        parts.bindTo(context);
    }
}
