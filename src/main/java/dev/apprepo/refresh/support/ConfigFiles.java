package dev.apprepo.refresh.support;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Reads the service's configuration files, YAML or JSON. */
public final class ConfigFiles {

    // YAML is a superset of JSON, so one parser reads both forms
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigFiles() {
    }

    /**
     * @param what names the file in errors, for example "clusters config"
     * @throws InvalidConfigurationException naming the file and where it went wrong, never quoting it: the file may
     *                                       hold secrets
     */
    public static <T> T read(Path file, String what, TypeReference<T> type) {
        try {
            return YAML.readValue(Files.readString(file), type);
        } catch (IOException e) {
            throw new InvalidConfigurationException("cannot read " + what + " " + file + ": " + describe(e));
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof JsonProcessingException parsing && parsing.getLocation() != null) {
            JsonLocation location = parsing.getLocation();
            String what = parsing instanceof UnrecognizedPropertyException unknown
                    ? "unknown field \"" + unknown.getPropertyName() + "\""
                    : "not the expected structure (" + e.getClass().getSimpleName() + ")";
            return what + " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        }
        return e.getClass().getSimpleName();
    }
}
