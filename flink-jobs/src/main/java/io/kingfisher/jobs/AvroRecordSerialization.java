package io.kingfisher.jobs;

import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Writes Avro records to one topic in the Confluent wire format (subject {@code <topic>-value}), keyed by a
 * string taken from the record (null for no key).
 */
public final class AvroRecordSerialization<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String registryUrl;
    private final Class<T> type;
    private final SerializableFunction<T, String> key;
    private transient AvroWireSerializer<T> serializer;

    public AvroRecordSerialization(String topic, String registryUrl, Class<T> type, SerializableFunction<T, String> key) {
        this.topic = topic;
        this.registryUrl = registryUrl;
        this.type = type;
        this.key = key;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        serializer = new AvroWireSerializer<>(new RestSchemaRegistryClient(registryUrl), type);
    }

    /** Names the target topic (lineage; also what the POOLING transaction naming strategy needs). */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
        String k = key == null ? null : key.apply(record);
        return new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                serializer.serialize(topic, record));
    }
}
