package io.kingfisher.streams.features;

import static io.kingfisher.streams.features.Vectors.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The materialization under {@link TopologyTestDriver}, with the real persistent (RocksDB, here frocksdbjni)
 * stores: the latest vector per entity and domain, late and invalid records, unreadable bytes, tombstones.
 */
class FeatureLookupTopologyTest {
    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, FeatureVector> fraud;
    private TestInputTopic<String, FeatureVector> clicks;
    private TestInputTopic<String, byte[]> fraudBytes;

    @BeforeEach
    void start() {
        InMemoryRegistry registry = new InMemoryRegistry();
        Serde<FeatureVector> vectors = Serdes.serdeFrom(new AvroWireSerializer<>(registry, FeatureVector.class),
            new AvroWireDeserializer<>(registry, FeatureVector.class));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "lookup-topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, SkipUnreadableVectors.class.getName());
        driver = new TopologyTestDriver(FeatureLookupTopology.build(List.of("fraud", "clicks"), vectors), p);
        fraud = driver.createInputTopic("fraud.features", new StringSerializer(), vectors.serializer());
        clicks = driver.createInputTopic("clicks.features", new StringSerializer(), vectors.serializer());
        fraudBytes = driver.createInputTopic("fraud.features", new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    /** The store as interactive queries see it: values without their timestamps. */
    private ReadOnlyKeyValueStore<String, FeatureVector> store(String domain) {
        KeyValueStore<String, ValueAndTimestamp<FeatureVector>> store =
            driver.getTimestampedKeyValueStore(FeatureLookupTopology.storeName(domain));
        return new ReadOnlyKeyValueStore<>() {
            @Override
            public FeatureVector get(String key) {
                return ValueAndTimestamp.getValueOrNull(store.get(key));
            }

            @Override
            public KeyValueIterator<String, FeatureVector> range(String from, String to) {
                throw new UnsupportedOperationException();
            }

            @Override
            public KeyValueIterator<String, FeatureVector> all() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long approximateNumEntries() {
                return store.approximateNumEntries();
            }
        };
    }

    private boolean persistent(String domain) {
        return driver.getTimestampedKeyValueStore(FeatureLookupTopology.storeName(domain)).persistent();
    }

    @Test
    void keepsTheLatestVectorPerEntityAndDomain() {
        fraud.pipeInput("card-1", vector("card-1", 10, 1f));
        fraud.pipeInput("card-2", vector("card-2", 11, 2f));
        fraud.pipeInput("card-1", vector("card-1", 20, 3f));
        clicks.pipeInput("card-1", vector("clicks", "card-1", 5, "spec-c", 9f));

        assertEquals(List.of(3f), store("fraud").get("card-1").getValues());
        assertEquals(20, store("fraud").get("card-1").getEventTime());
        assertEquals(List.of(2f), store("fraud").get("card-2").getValues());
        assertEquals(List.of(9f), store("clicks").get("card-1").getValues(), "domains have separate stores");
        assertNull(store("clicks").get("card-2"));
        assertNull(store("fraud").get("card-404"));
    }

    @Test
    void aLateEventsVectorDoesNotReplaceTheLatest() {
        fraud.pipeInput("card-1", vector("card-1", 20, 1f));
        fraud.pipeInput("card-1", vector("card-1", 15, 2f));
        assertEquals(20, store("fraud").get("card-1").getEventTime());
        fraud.pipeInput("card-1", vector("fraud", "card-1", 1, "spec-new", 7f, 8f));
        assertEquals(List.of(7f, 8f), store("fraud").get("card-1").getValues(), "a new spec replaces");
    }

    @Test
    void aTombstoneDeletesTheEntityFromTheStore() {
        fraud.pipeInput("card-1", vector("card-1", 10, 1f));
        fraud.pipeInput("card-2", vector("card-2", 10, 2f));
        clicks.pipeInput("card-1", vector("clicks", "card-1", 5, "spec-c", 9f));
        assertEquals(List.of(1f), store("fraud").get("card-1").getValues());

        fraud.pipeInput("card-1", (FeatureVector) null);
        assertNull(store("fraud").get("card-1"), "deleted");
        assertEquals(List.of(2f), store("fraud").get("card-2").getValues(), "other entities stay");
        assertEquals(List.of(9f), store("clicks").get("card-1").getValues(), "other domains stay");

        fraud.pipeInput("card-1", (FeatureVector) null);
        assertNull(store("fraud").get("card-1"), "a tombstone for a missing entity changes nothing");
        fraud.pipeInput("card-1", vector("card-1", 5, 3f));
        assertEquals(List.of(3f), store("fraud").get("card-1").getValues(),
            "an entity back after its tombstone starts afresh, even with an older event time");
    }

    @Test
    void invalidAndUnreadableRecordsAreSkippedAndTheStreamGoesOn() {
        FeatureVector mismatch = vector("card-1", 10, 1f, 2f);
        mismatch.setValues(List.of(1f));
        fraud.pipeInput("card-1", mismatch);
        fraud.pipeInput("card-2", vector("card-1", 10, 1f));
        fraud.pipeInput("card-3", (FeatureVector) null);
        fraudBytes.pipeInput("card-4", new byte[] {7, 0, 0, 0, 1, 2});
        fraudBytes.pipeInput("card-5", new byte[] {0, 0, 0, 0, 99, 2});
        fraud.pipeInput("card-6", vector("card-6", 10, 6f));

        assertNull(store("fraud").get("card-1"));
        assertNull(store("fraud").get("card-2"));
        assertNull(store("fraud").get("card-3"));
        assertNull(store("fraud").get("card-4"));
        assertNull(store("fraud").get("card-5"));
        assertEquals(List.of(6f), store("fraud").get("card-6").getValues());
    }

    @Test
    void theStoresArePersistentRocksDb() throws Exception {
        fraud.pipeInput("card-1", vector("card-1", 10, 1f));
        assertTrue(persistent("fraud"));
        try (Stream<Path> files = Files.walk(stateDir)) {
            assertTrue(files.anyMatch(f -> f.toString().contains("rocksdb") && f.getFileName().toString()
                .equals(FeatureLookupTopology.storeName("fraud"))), "a RocksDB directory for the fraud store");
        }
        String jar = org.rocksdb.RocksDB.class.getProtectionDomain().getCodeSource().getLocation().toString();
        assertTrue(jar.contains("frocksdbjni"), "org.rocksdb should come from Flink's frocksdbjni, came from " + jar);
    }
}
