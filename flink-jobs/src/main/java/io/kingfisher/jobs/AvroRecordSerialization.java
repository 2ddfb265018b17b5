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
import org.apache.flink.util.function.SerializableSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Writes Avro records to one topic in the Confluent wire format (subject {@code <topic>-value}), keyed by a
 * string taken from the record (null for no key). A record type with a faster encoder of its own (one that writes
 * the same bytes, such as {@link FeatureVectorEncoder}) can have it used first ({@link #withEncoder}).
 */
public final class AvroRecordSerialization<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String registryUrl;
    private final Class<T> type;
    private final SerializableFunction<T, String> key;
    private final SerializableSupplier<Encoder<T>> encoderFactory;
    private transient AvroWireSerializer<T> serializer;
    private transient Encoder<T> encoder;

    /** Writes some records of a type in the wire format faster than Avro's writer, byte for byte the same. */
    public interface Encoder<T> {
        /** @return the record in the wire format with {@code schemaId}, or null to have Avro's writer write it */
        byte[] encode(int schemaId, T record);
    }

    public AvroRecordSerialization(String topic, String registryUrl, Class<T> type, SerializableFunction<T, String> key) {
        this(topic, registryUrl, type, key, null);
    }

    private AvroRecordSerialization(String topic, String registryUrl, Class<T> type, SerializableFunction<T, String> key,
                                    SerializableSupplier<Encoder<T>> encoderFactory) {
        this.topic = topic;
        this.registryUrl = registryUrl;
        this.type = type;
        this.key = key;
        this.encoderFactory = encoderFactory;
    }

    /**
     * @param factory makes each sink writer its own encoder (encoders need not be thread-safe) where it runs
     * @return this serialization, trying that encoder before Avro's writer
     */
    public AvroRecordSerialization<T> withEncoder(SerializableSupplier<Encoder<T>> factory) {
        return new AvroRecordSerialization<>(topic, registryUrl, type, key, java.util.Objects.requireNonNull(factory, "factory"));
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        serializer = new AvroWireSerializer<>(new RestSchemaRegistryClient(registryUrl), type);
        encoder = encoderFactory == null ? null : encoderFactory.get();
    }

    /** Names the target topic (lineage; also what the POOLING transaction naming strategy needs). */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
        String k = key == null ? null : key.apply(record);
        byte[] value = encoder == null || record == null ? null : encoder.encode(serializer.schemaId(topic), record);
        return new ProducerRecord<>(topic, null, timestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                value != null ? value : serializer.serialize(topic, record));
    }
}
