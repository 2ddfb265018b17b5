package io.kingfisher.jobs;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.schemas.core.FeatureVector;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A featured event as the vector the online lookup serves. */
class FeatureVectorsTest {
    private static final Domain FRAUD = BuiltInDomains.fraud();

    private static FeaturedEvent featured(String entity, long eventTime, float[] features) {
        InputEvent in = new InputEvent("ev-1", entity, eventTime, eventTime + 3, new double[0], new String[0]);
        return new FeaturedEvent(in, features);
    }

    @Test
    void carriesTheEntityTimesSpecAndColumnsByName() {
        int width = FRAUD.features().width();
        float[] x = new float[width];
        for (int i = 0; i < width; i++) {
            x[i] = i * 0.5f;
        }
        FeatureVector v = new FeatureVectors("fraud", FRAUD.features()).toVector(featured("card-7", 1_000, x), 2_000);
        assertEquals("fraud", v.getDomain());
        assertEquals("card-7", v.getEntity());
        assertEquals(1_000, v.getEventTime());
        assertEquals(2_000, v.getUpdatedAt());
        assertEquals(FRAUD.features().hash(), v.getFeatureSpecHash());
        assertEquals(FRAUD.features().outputNames(), v.getNames());
        List<Float> expected = new ArrayList<>();
        for (float f : x) {
            expected.add(f);
        }
        assertEquals(expected, v.getValues());
    }

    @Test
    void aVectorOfAnotherWidthIsRefusedNamingTheEntity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FeatureVectors("fraud", FRAUD.features()).toVector(featured("card-7", 1, new float[1]), 2));
        assertTrue(e.getMessage().contains("card-7") && e.getMessage().contains("has 1 features"), e.getMessage());
    }

    @Test
    void anExpiredEntityIsANullValuedRecordKeyedByTheEntityOnTheFeaturesTopic() {
        String topic = io.kingfisher.schemas.topic.Topics.features("fraud");
        TombstoneSerialization tombstones = new TombstoneSerialization(topic);
        ProducerRecord<byte[], byte[]> r = tombstones.serialize("card-7", null, 1_234L);
        assertEquals("fraud.features", r.topic());
        assertArrayEquals("card-7".getBytes(StandardCharsets.UTF_8), r.key(), "keyed as the vectors are");
        assertNull(r.value(), "a tombstone");
        assertEquals(1_234L, r.timestamp());
        assertNull(r.partition(), "the default partitioner, as the vectors: the same partition as the entity's vectors");
        assertEquals(List.of(topic), tombstones.getKafkaDatasetFacet().orElseThrow().getTopicIdentifier().getTopics());
        assertThrows(NullPointerException.class, () -> tombstones.serialize(null, null, 1L));
    }

    @Test
    void featuresPublishOffMeansNoSink() {
        java.util.Map<String, String> m = new java.util.HashMap<>(java.util.Map.of(JobSettings.BOOTSTRAP.key(), "localhost:9092",
                JobSettings.REGISTRY_URL.key(), "http://localhost:8081"));
        assertTrue(FeatureVectors.configuredSinks(io.kingfisher.config.Config.of(m, JobSettings.ALL), "fraud", FRAUD.features()) != null,
                "on by default");
        m.put(JobSettings.FEATURES_PUBLISH.key(), "off");
        assertTrue(FeatureVectors.configuredSinks(io.kingfisher.config.Config.of(m, JobSettings.ALL), "fraud", FRAUD.features()) == null);
    }
}
