package dev.apprepo.refresh.kubernetes;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/** How a configuration file failed to parse, said without quoting it: the file may hold secrets. */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException parsing && parsing.getLocation() != null) {
            JsonLocation location = parsing.getLocation();
            String what = parsing instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown
                    ? "unknown field \"" + unknown.getPropertyName() + "\""
                    : "not the expected structure (" + e.getClass().getSimpleName() + ")";
            return what + " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        }
        return e.getClass().getSimpleName();
    }
}
