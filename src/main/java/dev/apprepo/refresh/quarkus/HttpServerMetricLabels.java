package dev.apprepo.refresh.quarkus;

import java.util.Set;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps the {@code method} label of Quarkus' HTTP server metrics bounded: Vert.x takes any token a client sends as a
 * method, and no Quarkus setting bounds it. The {@code uri} label is bounded by
 * {@code quarkus.micrometer.binder.http-server.match-patterns}.
 */
public class HttpServerMetricLabels {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH");

    @Produces
    @Singleton
    MeterFilter knownMethodsOnly() {
        return MeterFilter.replaceTagValues("method", method -> METHODS.contains(method) ? method : "OTHER");
    }
}
