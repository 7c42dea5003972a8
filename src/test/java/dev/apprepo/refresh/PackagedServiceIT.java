package dev.apprepo.refresh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged service as {@code java -jar target/quarkus-app/quarkus-run.jar} runs it. */
@QuarkusIntegrationTest
class PackagedServiceIT {

    @Test
    void answersOverHttp() {
        given().when().post("/api/v1/clusters/default/namespaces/kubeapps/apprepositories/bitnami/refresh")
                .then().statusCode(401).body("kind", equalTo("Status"));
        given().header("Authorization", "Bearer some-token")
                .when().post("/api/v1/clusters/elsewhere/namespaces/kubeapps/apprepositories/bitnami/refresh")
                .then().statusCode(404).body("message", equalTo("cluster \"elsewhere\" has no configuration"));
    }

    @Test
    void carriesNoEmbeddedKubernetesApi() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("target/quarkus-app"))) {
            List<String> mockLibraries = files.map(path -> path.getFileName().toString())
                    .filter(name -> name.contains("server-mock") || name.contains("mockwebserver")).toList();
            assertEquals(List.of(), mockLibraries);
        }
        // the dev mode API is no bean of the packaged application, while the service's own beans are
        try (ZipFile generated = new ZipFile("target/quarkus-app/quarkus/generated-bytecode.jar")) {
            List<String> beans = generated.stream().map(ZipEntry::getName).filter(name -> name.endsWith("_Bean.class"))
                    .toList();
            assertTrue(beans.contains("dev/apprepo/refresh/quarkus/HttpLayerErrors_Bean.class"), beans::toString);
            assertEquals(List.of(), beans.stream().filter(name -> name.contains("EmbeddedKubernetesApi")).toList());
        }
    }
}
