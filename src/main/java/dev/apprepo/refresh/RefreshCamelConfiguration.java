package dev.apprepo.refresh;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * The parts for plain Camel (Camel JBang, Camel K, Camel Main), from Camel's properties, which read the
 * environment too ({@code REFRESH_CLUSTERS_CONFIG} for {@code refresh.clusters-config}). Camel Main runs it before it
 * loads the routes when named in {@code camel.main.configuration-classes}.
 */
public class RefreshCamelConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        RefreshSettings settings = RefreshSettings.from(name -> context.getPropertiesComponent().resolveProperty(name));
        RefreshParts.builder(settings).build().bindTo(context);
    }
}
