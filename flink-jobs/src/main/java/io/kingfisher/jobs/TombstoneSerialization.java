package io.kingfisher.jobs;

import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes a tombstone per key to one compacted topic: the record's key is the given string (UTF-8, as
 * {@link AvroRecordSerialization} writes keys), its value null, which deletes the key from the topic's readers'
 * tables (the online lookup) and, after compaction, from the topic.
 */
public final class TombstoneSerialization implements KafkaRecordSerializationSchema<String>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public TombstoneSerialization(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** Names the target topic (lineage; also what the POOLING transaction naming strategy needs). */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    /** @throws NullPointerException if {@code key} is null: a tombstone without a key deletes nothing */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(String key, KafkaSinkContext context, Long timestamp) {
        Objects.requireNonNull(key, "a tombstone needs a key");
        return new ProducerRecord<byte[], byte[]>(topic, null, timestamp, key.getBytes(StandardCharsets.UTF_8), null);
    }
}
