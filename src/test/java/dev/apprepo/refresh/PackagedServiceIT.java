package dev.apprepo.refresh;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        // the dev mode API's port: nothing may listen there outside dev mode
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), 18443).close());
    }
}
