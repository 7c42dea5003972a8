package dev.apprepo.refresh.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.CamelContext;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;

/**
 * Dev mode: an edit in {@code kamelet/} reloads the routes, as an edit in {@code routes/} does. Camel's route watcher
 * reloads every route and drops the kamelets they were built from, so the routes pick up the edited kamelet; it is
 * told of a kamelet edit by a touch of the route files it watches, since reloading a kamelet file by itself would
 * load the routes that use it twice.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class KameletReload {

    private static final Path KAMELETS = Path.of("kamelet");
    private static final Path ROUTES = Path.of("routes");

    void start(@Observes StartupEvent event, CamelContext camel) throws Exception {
        FileWatcherResourceReloadStrategy kamelets = new FileWatcherResourceReloadStrategy(KAMELETS.toString());
        kamelets.setFileFilter(file -> file.getName().endsWith(".kamelet.yaml"));
        kamelets.setResourceReload((name, resource) -> touchRoutes());
        camel.addService(kamelets);
    }

    private static void touchRoutes() {
        try (DirectoryStream<Path> routes = Files.newDirectoryStream(ROUTES, "*.camel.yaml")) {
            for (Path route : routes) {
                Files.setLastModifiedTime(route, FileTime.from(Instant.now()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
