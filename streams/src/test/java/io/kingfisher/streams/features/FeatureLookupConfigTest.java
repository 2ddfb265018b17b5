package io.kingfisher.streams.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class FeatureLookupConfigTest {

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", "localhost:9092");
        m.put("schema.registry.url", "http://localhost:8081");
        m.put("lookup.domains", "fraud, clicks");
        m.put("lookup.state.dir", "data/lookup");
        return m;
    }

    private static String failingKey(Map<String, String> settings) {
        return assertThrows(LookupConfigException.class, () -> FeatureLookupConfig.fromMap(settings)).key();
    }

    @Test
    void readsTheSettingsWithDefaults() {
        FeatureLookupConfig c = FeatureLookupConfig.fromMap(valid());
        assertEquals(List.of("fraud", "clicks"), c.domains());
        assertEquals(List.of("fraud.features", "clicks.features"), c.topics());
        assertEquals(Path.of("data/lookup"), c.stateDir());
        assertEquals("127.0.0.1", c.httpHost());
        assertEquals(8090, c.httpPort());
        assertEquals("127.0.0.1", c.advertisedHost());
        assertEquals("kingfisher-features-lookup", c.applicationId());
    }

    @Test
    void eachMissingRequiredSettingIsNamed() {
        for (String key : List.of("kafka.bootstrap.servers", "schema.registry.url", "lookup.domains", "lookup.state.dir")) {
            Map<String, String> m = valid();
            m.remove(key);
            assertEquals(key, failingKey(m));
            m.put(key, " ");
            assertEquals(key, failingKey(m));
        }
    }

    @Test
    void badValuesAreNamed() {
        Map<String, String> m = valid();
        m.put("lookup.http.port", "eighty");
        assertEquals("lookup.http.port", failingKey(m));
        m.put("lookup.http.port", "70000");
        assertEquals("lookup.http.port", failingKey(m));
        m = valid();
        m.put("lookup.domains", "fraud,,clicks");
        assertEquals("lookup.domains", failingKey(m));
        m.put("lookup.domains", "fraud.x");
        LookupConfigException e = assertThrows(LookupConfigException.class, () -> FeatureLookupConfig.fromMap(
            Map.of("kafka.bootstrap.servers", "k:1", "schema.registry.url", "http://r", "lookup.domains", "fraud.x",
                "lookup.state.dir", "d")));
        assertTrue(e.getMessage().startsWith("lookup.domains: domain name 'fraud.x'"), e.getMessage());
        m.put("lookup.domains", "fraud,fraud");
        assertEquals("lookup.domains", failingKey(m));
        m = valid();
        m.put("schema.registry.url", "localhost:8081");
        assertEquals("schema.registry.url", failingKey(m));
        m = valid();
        m.put("lookup.application.id", "my app");
        assertEquals("lookup.application.id", failingKey(m));
        m = valid();
        m.put("lookup.http.prot", "1");
        assertEquals("lookup.http.prot", failingKey(m));
    }

    @Test
    void streamsSettingsPassThroughAndComeLast() {
        Map<String, String> m = valid();
        m.put("lookup.streams.num.stream.threads", "2");
        m.put("lookup.streams.commit.interval.ms", "1000");
        m.put("lookup.http.host", "0.0.0.0");
        FeatureLookupConfig c = FeatureLookupConfig.fromMap(m);
        assertEquals("localhost", c.advertisedHost(), "a wildcard bind address is not reachable as such");
        var p = FeatureLookupApp.streamsProperties(c, new HostInfo("localhost", 8090));
        assertEquals("2", p.get("num.stream.threads"));
        assertEquals("1000", p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        assertEquals("localhost:8090", p.get(StreamsConfig.APPLICATION_SERVER_CONFIG));
        assertEquals("read_committed", p.get("consumer.isolation.level"));
        assertEquals(Path.of("data/lookup").toAbsolutePath().toString(), p.get(StreamsConfig.STATE_DIR_CONFIG));
    }

    @Test
    void inCodeWithCopies() {
        FeatureLookupConfig c = FeatureLookupConfig.of("k:1", "http://r:2", List.of("fraud"), Path.of("s"))
            .withHttpPort(0).withApplicationId("lookup-test").withStreamsOverrides(Map.of("num.stream.threads", "1"));
        assertEquals(0, c.httpPort());
        assertEquals("lookup-test", c.applicationId());
        assertEquals(Map.of("num.stream.threads", "1"), c.streamsOverrides());
        assertEquals("lookup.domains", assertThrows(LookupConfigException.class,
            () -> FeatureLookupConfig.of("k:1", "http://r:2", List.of(), Path.of("s"))).key());
    }
}
