package dev.apprepo.refresh.quarkus;

import java.util.function.Supplier;

import dev.apprepo.refresh.RefreshParts;
import dev.apprepo.refresh.RefreshSettings;
import dev.apprepo.refresh.kubernetes.Clusters;
import dev.apprepo.refresh.support.InvalidConfigurationException;
import dev.apprepo.refresh.support.RefreshMetrics;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.PreventFurtherStepsException;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.camel.quarkus.core.CamelRuntime;
import org.eclipse.microprofile.config.Config;

/**
 * The service's parts, built once from Quarkus' configuration; {@link dev.apprepo.refresh.RefreshCamelConfiguration},
 * which the routes declare, binds them into the CamelContext as it does on every runtime.
 */
public class RefreshBeans {

    @Produces
    @Singleton
    RefreshSettings settings(Config config) {
        return startOrStop(() -> RefreshSettings.from(name -> config.getOptionalValue(name, String.class)));
    }

    /** Found in Camel's registry by RefreshCamelConfiguration, which the routes declare, and bound as it is. */
    @Produces
    @Singleton
    @Unremovable
    RefreshParts parts(RefreshSettings settings, Instance<io.fabric8.kubernetes.client.Config> kubernetesConfig,
            Vertx vertx, RawRequestBodies rawBodies, MeterRegistry meterRegistry) {
        return startOrStop(() -> RefreshParts.builder(settings)
                // Quarkus' own client configuration: in-cluster or KUBECONFIG, quarkus.kubernetes-client.* on top
                .ambientConfig(kubernetesConfig::get)
                // Quarkus' own event loop: pooled clients add no threads
                .httpClients(new VertxHttpClientFactory(vertx))
                .rawBodies(rawBodies::of)
                .meterRegistry(meterRegistry)
                .build());
    }

    /**
     * Camel starts once the parts are built (quarkus.camel.bootstrap.enabled is off), before the other start
     * observers: a configuration the service cannot run with then stops it with its one line, whatever order the
     * build gave the start steps, instead of failing inside Camel's start, which logs it whole.
     */
    void startCamel(@Observes @Priority(10) StartupEvent event, RefreshParts parts, CamelRuntime camel) {
        camel.start();
    }

    @Produces
    @Singleton
    Clusters clusters(RefreshParts parts) {
        return parts.clusters();
    }

    @Produces
    @Singleton
    RefreshMetrics metrics(RefreshParts parts) {
        return parts.metrics();
    }

    /** A configuration the service cannot start with ends it with its one-line message, and no stack trace. */
    private static <T> T startOrStop(Supplier<T> start) {
        try {
            return start.get();
        } catch (InvalidConfigurationException e) {
            throw new PreventFurtherStepsException(e.getMessage(), 1);
        }
    }
}
