package dev.apprepo.refresh;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.apprepo.refresh.http.KubernetesStatusErrors;
import dev.apprepo.refresh.http.RepositoryNames;
import dev.apprepo.refresh.http.RequestLog;
import dev.apprepo.refresh.http.RequestMetrics;
import dev.apprepo.refresh.http.WebhookCredentials;
import dev.apprepo.refresh.kubernetes.CallerTokenCustomResourcesComponent;
import dev.apprepo.refresh.kubernetes.Clusters;
import dev.apprepo.refresh.kubernetes.KubernetesClientPool;
import dev.apprepo.refresh.receiver.DeliveryLog;
import dev.apprepo.refresh.receiver.Receiver;
import dev.apprepo.refresh.receiver.Receivers;
import dev.apprepo.refresh.receiver.ServiceCredentials;
import dev.apprepo.refresh.support.RefreshMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Java part the routes and the kamelet refer to, built once from one {@link RefreshSettings} and bound into a
 * CamelContext under the names the YAML uses. The Quarkus service, plain Camel ({@link RefreshCamelConfiguration})
 * and the route tests all build them here, so each runtime gets exactly what the service gets. Stopped with the
 * CamelContext it is bound to.
 */
public final class RefreshParts extends ServiceSupport {

    /** The endpoint of one refresh: the coalescer runs it once for each batch of requests. */
    public static final String REFRESH_ENDPOINT = "direct:refresh-apprepository";

    private static final Logger LOG = LoggerFactory.getLogger(RefreshParts.class);

    private final RefreshSettings settings;
    private final Clusters clusters;
    private final RefreshMetrics metrics;
    private final KubernetesClientPool clients;
    private final CallerTokenCustomResourcesComponent customResources;
    private final WebhookCredentials webhookCredentials;
    private final DeliveryLog deliveryLog;
    private final RefreshCoalescer coalescer;
    private final RefreshAudit audit;
    private final RequestMetrics requestMetrics;
    private final Vertx ownVertx;

    private RefreshParts(Builder builder) {
        settings = builder.settings;
        clusters = Clusters.load(settings.clustersConfig().orElse(null), builder.ambientConfig);
        ServiceCredentials serviceCredentials = new ServiceCredentials(clusters, settings.serviceAccountTokenFile());
        Receivers receivers = settings.receiversConfig()
                .map(file -> Receivers.load(file, clusters, serviceCredentials::has, builder.environment))
                .orElse(Receivers.none());

        logConfiguration(receivers);

        metrics = new RefreshMetrics(builder.meterRegistry);
        ownVertx = builder.httpClients == null ? Vertx.vertx() : null;
        try {
            HttpClient.Factory httpClients = ownVertx != null
                    ? new VertxHttpClientFactory(ownVertx)
                    : builder.httpClients;
            clients = new KubernetesClientPool(clusters, httpClients, settings.clientPoolMaxSize(),
                    settings.clientPoolIdleExpiry(), settings.apiTimeout());
            customResources = new CallerTokenCustomResourcesComponent(clients, metrics);
            webhookCredentials = new WebhookCredentials(receivers, serviceCredentials, builder.rawBodies,
                    builder.clock);
            deliveryLog = new DeliveryLog(settings.deliveriesRetention(), settings.deliveriesMaxSize(), metrics);
            coalescer = new RefreshCoalescer(REFRESH_ENDPOINT, settings.burstInterval(), metrics);
            audit = new RefreshAudit(clients, metrics);
            requestMetrics = new RequestMetrics(clusters, metrics);

            Set<String> senders = new LinkedHashSet<>();
            senders.add(RefreshMetrics.BEARER);
            receivers.all().forEach(receiver -> senders.add(receiver.type().configName()));
            metrics.startFromZero(clusters.names(), senders);
            metrics.pooling(clients::size, deliveryLog::size);
        } catch (RuntimeException | Error e) {
            metrics.close();
            if (ownVertx != null) {
                ownVertx.close();
            }
            throw e;
        }
    }

    public static Builder builder(RefreshSettings settings) {
        return new Builder(settings);
    }

    /** Binds every part under the name the routes use, and stops the parts with the context. */
    public void bindTo(CamelContext context) {
        // in place of Camel's own, which a runtime such as Camel Quarkus may have registered already
        context.removeComponent("kubernetes-custom-resources");
        context.addComponent("kubernetes-custom-resources", customResources);
        Registry registry = context.getRegistry();
        registry.bind("webhookCredentials", webhookCredentials);
        registry.bind("repositoryNames", new RepositoryNames());
        registry.bind("deliveryLog", deliveryLog);
        registry.bind("refreshCoalescer", coalescer);
        registry.bind("refreshAudit", audit);
        registry.bind("requestMetrics", requestMetrics);
        registry.bind("requestLog", new RequestLog());
        registry.bind("kubernetesStatusErrors", new KubernetesStatusErrors());
        coalescer.setCamelContext(context);
        // the in-memory log and the AppRepository's record forget a delivery at the same age
        context.getPropertiesComponent().addInitialProperty(
                "camel.kamelet.apprepository-refresh-action.deliveriesRetention",
                settings.deliveriesRetention().toString());
        // the kamelet's own default applies unless the service's setting is given
        settings.maxAttempts().ifPresent(attempts -> context.getPropertiesComponent()
                .addInitialProperty("camel.kamelet.apprepository-refresh-action.maxAttempts", attempts.toString()));
        try {
            context.addService(this, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot tie the refresh parts to the CamelContext", e);
        }
    }

    public Clusters clusters() {
        return clusters;
    }

    public RefreshMetrics metrics() {
        return metrics;
    }

    private void logConfiguration(Receivers receivers) {
        for (String cluster : clusters.names()) {
            LOG.info("Cluster {}: {}", cluster, clusters.describe(cluster));
        }
        for (Receiver receiver : receivers.all()) {
            LOG.info("Receiver {} ({}) refreshes {}/{}/{}", receiver.name(), receiver.type().configName(),
                    receiver.cluster(), receiver.namespace(), receiver.repository());
        }
    }

    @Override
    protected void doStop() {
        audit.close();
        clients.close();
        metrics.close();
        if (ownVertx != null) {
            ownVertx.close();
        }
    }

    /** What a runtime provides; each has the plain Camel default. */
    public static final class Builder {

        private final RefreshSettings settings;
        private Supplier<Config> ambientConfig = () -> Config.autoConfigure(null);
        private HttpClient.Factory httpClients;
        private Function<Exchange, byte[]> rawBodies = exchange -> {
            byte[] body = exchange.getIn().getBody(byte[].class);
            return body == null ? new byte[0] : body;
        };
        private MeterRegistry meterRegistry = Metrics.globalRegistry;
        private Function<String, String> environment = System::getenv;
        private Clock clock = Clock.systemUTC();

        private Builder(RefreshSettings settings) {
            this.settings = settings;
        }

        /** The in-cluster or KUBECONFIG configuration: URL and CA of clusters without apiServiceURL. */
        public Builder ambientConfig(Supplier<Config> ambientConfig) {
            this.ambientConfig = ambientConfig;
            return this;
        }

        /** The HTTP client factory of the Kubernetes clients; by default on a Vert.x of their own. */
        public Builder httpClients(HttpClient.Factory httpClients) {
            this.httpClients = httpClients;
            return this;
        }

        /** The request body exactly as it was sent, which signatures are computed over. */
        public Builder rawBodies(Function<Exchange, byte[]> rawBodies) {
            this.rawBodies = rawBodies;
            return this;
        }

        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** Where {@code env:} secrets of receivers are read. */
        public Builder environment(Function<String, String> environment) {
            this.environment = environment;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public RefreshParts build() {
            return new RefreshParts(this);
        }
    }
}
