package io.kingfisher.config;

import io.kingfisher.jobs.JobSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    private static final Map<String, String> REQUIRED = Map.of(
            "kafka.bootstrap.servers", "localhost:9092", "schema.registry.url", "http://localhost:8081");

    private static Config with(String key, String value) {
        var m = new java.util.HashMap<>(REQUIRED);
        m.put(key, value);
        return Config.of(m, JobSettings.ALL);
    }

    @Test
    void defaultsAndParsedValues() {
        Config c = with("checkpoint.interval", "2s");
        assertEquals(Duration.ofSeconds(2), c.get(JobSettings.CHECKPOINT_INTERVAL));
        assertEquals(2, c.get(JobSettings.PARALLELISM));
        assertEquals(Duration.ofDays(30), c.get(JobSettings.FEATURE_TTL));
    }

    @Test
    void keysUnderAPassThroughAreCheckedByItAndReadLessThePrefix() {
        Config.PassThrough other = new Config.PassThrough("other.", (k, v) -> {
            if (!k.equals("known")) {
                throw new IllegalArgumentException("no option '" + k + "'");
            }
        });
        var m = new java.util.HashMap<>(REQUIRED);
        m.put("other.known", "x");
        assertEquals(Map.of("known", "x"), Config.of(m, JobSettings.ALL, other).under("other."));
        m.put("other.unknown", "y");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.of(m, JobSettings.ALL, other));
        assertEquals("other.unknown: no option 'unknown'", e.getMessage());
        m.remove("other.unknown");
        ConfigException without = assertThrows(ConfigException.class, () -> Config.of(m, JobSettings.ALL));
        assertEquals("other.known", without.key(), "without the pass-through the key is unknown");
        m.put("checkpoint.intervall", "1s");
        assertTrue(assertThrows(ConfigException.class, () -> Config.of(m, JobSettings.ALL, other)).getMessage()
                .endsWith(", and any key under other."), "the error says what else is accepted");
        assertEquals("checkpoint.interval: unknown setting; only keys under other. are taken here",
                assertThrows(ConfigException.class, () -> Config.of(Map.of("checkpoint.interval", "1s"), List.of(), other))
                        .getMessage(), "with nothing declared (a bench taking Flink's options only)");
    }

    @Test
    void errorsNameTheKey() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> with("checkpoint.intervall", "1s"));
        assertEquals("checkpoint.intervall", unknown.key());
        assertTrue(unknown.getMessage().contains("unknown setting"), unknown.getMessage());

        ConfigException tooShort = assertThrows(ConfigException.class, () -> with("checkpoint.interval", "10ms"));
        assertEquals("checkpoint.interval: must be at least 50ms, was 10ms", tooShort.getMessage());

        ConfigException notANumber = assertThrows(ConfigException.class, () -> with("job.parallelism", "two"));
        assertEquals("job.parallelism", notANumber.key());

        ConfigException missing = assertThrows(ConfigException.class, () -> Config.of(Map.of(), JobSettings.ALL));
        assertEquals("kafka.bootstrap.servers", missing.key());
    }

    @Test
    void durationsInShortAndIsoForms() {
        assertEquals(Duration.ofMillis(250), Setting.parseDuration("250ms"));
        assertEquals(Duration.ofMinutes(5), Setting.parseDuration("5m"));
        assertEquals(Duration.ofDays(7), Setting.parseDuration("7d"));
        assertEquals(Duration.ofMinutes(90), Setting.parseDuration("1.5h"));
        assertEquals(Duration.ofMinutes(5), Setting.parseDuration("PT5M"));
        assertThrows(IllegalArgumentException.class, () -> Setting.parseDuration("5 parsecs"));
    }
}
