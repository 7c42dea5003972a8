package dev.apprepo.refresh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.apprepo.refresh.support.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefreshSettingsTest {

    private static RefreshSettings settings(Map<String, String> properties) {
        return RefreshSettings.from(name -> Optional.ofNullable(properties.get(name)));
    }

    @Test
    void everySettingHasItsDefault() {
        RefreshSettings defaults = RefreshSettings.defaults();

        assertEquals(Optional.empty(), defaults.clustersConfig());
        assertEquals(Duration.ofSeconds(10), defaults.apiTimeout());
        assertEquals(Optional.empty(), defaults.maxAttempts(), "the kamelet's own default applies");
        assertEquals(Duration.ofSeconds(1), defaults.burstInterval());
        assertEquals(256, defaults.clientPoolMaxSize());
        assertEquals(Duration.ofMinutes(5), defaults.clientPoolIdleExpiry());
        assertEquals(Optional.empty(), defaults.receiversConfig());
        assertEquals(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"),
                defaults.serviceAccountTokenFile());
        assertEquals(Duration.ofHours(24), defaults.deliveriesRetention());
        assertEquals(100_000, defaults.deliveriesMaxSize());
    }

    /** Durations as Quarkus reads them, so that a value that worked with a Quarkus configuration still does. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "0, PT0S",
            "30, PT30S",
            "500ms, PT0.5S",
            "10s, PT10S",
            "10S, PT10S",
            "1.5s, PT1.5S",
            "5m, PT5M",
            "1h30m, PT1H30M",
            "24h, PT24H",
            "2d, PT48H",
            "PT10S, PT10S",
    })
    void readsDurationsAsQuarkusDoes(String value, Duration expected) {
        assertEquals(expected, settings(Map.of("refresh.api-timeout", value)).apiTimeout());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "refresh.api-timeout, ten seconds, refresh.api-timeout (REFRESH_API_TIMEOUT) is \"ten seconds\": use a duration",
            "refresh.burst-interval, -1s, refresh.burst-interval (REFRESH_BURST_INTERVAL) is \"-1s\"",
            "refresh.max-attempts, 0, refresh.max-attempts (REFRESH_MAX_ATTEMPTS) is \"0\": use a positive whole number",
            "refresh.client-pool.max-size, many, refresh.client-pool.max-size (REFRESH_CLIENT_POOL_MAX_SIZE) is \"many\"",
    })
    void refusesAValueThatDoesNotParseNamingTheSettingAndItsVariable(String name, String value, String message) {
        InvalidConfigurationException error = assertThrows(InvalidConfigurationException.class,
                () -> settings(Map.of(name, value)));
        assertTrue(error.getMessage().startsWith(message), error.getMessage());
    }
}
