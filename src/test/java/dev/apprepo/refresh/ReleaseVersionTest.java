package dev.apprepo.refresh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kamelet, the Camel K resources, the example and the docs name the release of the jar they belong to: the
 * pom's version without -SNAPSHOT, the version `./mvnw deploy` publishes once the release is cut.
 */
class ReleaseVersionTest {

    private static final Pattern JAR = Pattern.compile("dev\\.apprepo:apprepo-refresh:([^\\s\"'`]+)");
    private static final Path KAMELET = Path.of("kamelet/apprepository-refresh-action.kamelet.yaml");
    private static final List<Path> RUNNING_THE_JAR = List.of(KAMELET, Path.of("deploy/camel-k/integration.yaml"),
            Path.of("examples/refresh-from-webhook.camel.yaml"));
    private static final List<Path> DOCS = List.of(Path.of("README.md"), Path.of("docs/deployment.md"));

    @Test
    void everyFileNamesTheReleaseOfThePomsVersion() throws Exception {
        String version = pomVersion();
        String release = version.replaceFirst("-SNAPSHOT$", "");

        for (Path file : RUNNING_THE_JAR) {
            assertEquals(List.of(release), versionsNamed(file), file.toString());
        }
        for (Path file : DOCS) {
            // the docs may name the working tree's own version too, for a jar installed locally
            List<String> named = versionsNamed(file);
            assertTrue(named.contains(release), file + " names " + named);
            named.forEach(each -> assertTrue(each.equals(release) || each.equals(version), file + " names " + each));
        }
        JsonNode kamelet = new ObjectMapper(new YAMLFactory()).readTree(KAMELET.toFile());
        assertEquals(release,
                kamelet.at("/metadata/annotations").path("camel.apache.org/catalog.version").asText());
    }

    private static List<String> versionsNamed(Path file) throws IOException {
        Matcher jar = JAR.matcher(Files.readString(file));
        return jar.results().map(match -> match.group(1)).distinct().toList();
    }

    private static String pomVersion() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        var children = pom.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if ("version".equals(children.item(i).getNodeName())) {
                return children.item(i).getTextContent().strip();
            }
        }
        throw new IOException("pom.xml has no version");
    }
}
