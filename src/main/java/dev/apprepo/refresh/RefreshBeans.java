package dev.apprepo.refresh;

import java.time.Clock;

import dev.apprepo.refresh.http.KubernetesStatusErrors;
import dev.apprepo.refresh.http.RawRequestBodies;
import dev.apprepo.refresh.http.RequestMetrics;
import dev.apprepo.refresh.http.WebhookCredentials;
import dev.apprepo.refresh.kubernetes.CallerTokenCustomResourcesComponent;
import dev.apprepo.refresh.kubernetes.Clusters;
import dev.apprepo.refresh.kubernetes.KubernetesClientPool;
import dev.apprepo.refresh.receiver.DeliveryLog;
import dev.apprepo.refresh.receiver.Receivers;
import dev.apprepo.refresh.receiver.ServiceCredentials;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/** Wires the Java parts the YAML routes refer to by name. */
public class RefreshBeans {

    @Produces
    @Singleton
    Clusters clusters(RefreshConfig config, Instance<Config> ambient) {
        // Quarkus' own client configuration: in-cluster or KUBECONFIG, and quarkus.kubernetes-client.* on top
        return Clusters.load(config.clustersConfig().orElse(null), ambient::get);
    }

    @Produces
    @Singleton
    KubernetesClientPool clientPool(Clusters clusters, RefreshConfig config, Vertx vertx) {
        // Quarkus' own event loop: pooled clients add no threads
        return new KubernetesClientPool(clusters, new VertxHttpClientFactory(vertx), config.clientPool().maxSize(),
                config.clientPool().idleExpiry(), config.apiTimeout());
    }

    @Produces
    @Singleton
    @Named("kubernetes-custom-resources")
    CallerTokenCustomResourcesComponent kubernetesCustomResources(KubernetesClientPool clients) {
        return new CallerTokenCustomResourcesComponent(clients);
    }

    @Produces
    @Singleton
    @Named("refreshAudit")
    RefreshAudit refreshAudit(KubernetesClientPool clients) {
        return new RefreshAudit(clients, 1000);
    }

    @Produces
    @Singleton
    @Named("refreshCoalescer")
    RefreshCoalescer refreshCoalescer(RefreshConfig config) {
        return new RefreshCoalescer("direct:refresh-apprepository", config.burstInterval());
    }

    @Produces
    @Singleton
    ServiceCredentials serviceCredentials(Clusters clusters, RefreshConfig config) {
        return new ServiceCredentials(clusters, config.serviceAccountTokenFile());
    }

    @Produces
    @Singleton
    @Named("webhookCredentials")
    WebhookCredentials webhookCredentials(RefreshConfig config, Clusters clusters, ServiceCredentials credentials,
                                          RawRequestBodies rawBodies) {
        Receivers receivers = config.receiversConfig()
                .map(file -> Receivers.load(file, clusters, credentials::has, System::getenv))
                .orElse(Receivers.none());
        return new WebhookCredentials(receivers, credentials, rawBodies::of, Clock.systemUTC());
    }

    @Produces
    @Singleton
    @Named("requestMetrics")
    RequestMetrics requestMetrics(Clusters clusters) {
        return new RequestMetrics(clusters);
    }

    @Produces
    @Singleton
    @Named("deliveryLog")
    DeliveryLog deliveryLog(RefreshConfig config) {
        return new DeliveryLog(config.deliveries().retention(), config.deliveries().maxSize());
    }

    @Produces
    @Singleton
    @Named("kubernetesStatusErrors")
    KubernetesStatusErrors kubernetesStatusErrors() {
        return new KubernetesStatusErrors();
    }
}
