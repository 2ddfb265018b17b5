package io.kingfisher.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void perDomainNamesFollowTheContract() {
        assertEquals("fraud.events", Topics.events("fraud"));
        assertEquals("fraud.labels", Topics.labels("fraud"));
        assertEquals("clicks.scores", Topics.scores("clicks"));
        assertEquals("clinical.examples", Topics.examples("clinical"));
        assertEquals("fraud.dlq", Topics.dlq("fraud"));
        assertEquals("clicks.features", Topics.features("clicks"));
        assertEquals("model.snapshots", Topics.MODEL_SNAPSHOTS);
        assertEquals("fraud.alerts", Topics.FRAUD_ALERTS);
        assertEquals("clinical.alerts", Topics.CLINICAL_ALERTS);
        assertEquals("recs.feed", Topics.RECS_FEED);
    }

    @Test
    void badDomainsAndTopicNamesAreRejected() {
        assertEquals("domain name 'a.b' must be non-empty letters, digits, '_' or '-' (it prefixes topic names)",
            assertThrows(IllegalArgumentException.class, () -> Topics.events("a.b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Topics.events(""));
        assertEquals("topic name 'a b' may contain only ASCII letters, digits, '.', '_' and '-'",
            assertThrows(IllegalArgumentException.class, () -> Topics.requireLegalName("a b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Topics.requireLegalName(".."));
        assertThrows(IllegalArgumentException.class, () -> Topics.requireLegalName("x".repeat(250)));
        assertEquals("x".repeat(249), Topics.requireLegalName("x".repeat(249)));
    }

    @Test
    void topicEncodesWithItsSerdes() {
        Topic<String, Long> topic = Topic.of(Topics.MODEL_SNAPSHOTS, Serdes.String(), Serdes.Long());
        assertEquals("fraud", topic.deserializeKey(topic.serializeKey("fraud")));
        assertEquals(7L, topic.deserializeValue(topic.serializeValue(7L)));
        assertEquals(8, topic.serializeValue(7L).length);
        assertThrows(IllegalArgumentException.class, () -> Topic.of("bad name", Serdes.String(), Serdes.Long()));
        assertThrows(NullPointerException.class, () -> Topic.of("t", null, Serdes.Long()));
    }
}
