package io.kingfisher.schemas.topic;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Properties;

/**
 * The one way Kingfisher's tools open a producer for wire-format bytes: idempotent, {@code acks=all} (lz4 unless
 * told otherwise), so a retried send never duplicates or loses a record.
 */
public final class Producers {
    private Producers() {
    }

    /**
     * @param lingerMs how long a batch may wait to fill (latency vs throughput)
     */
    public static KafkaProducer<byte[], byte[]> reliable(String bootstrapServers, int lingerMs) {
        return reliable(bootstrapServers, lingerMs, "lz4");
    }

    /**
     * @param lingerMs    how long a batch may wait to fill (latency vs throughput)
     * @param compression the producer's {@code compression.type}: none, gzip, snappy, lz4 or zstd
     */
    public static KafkaProducer<byte[], byte[]> reliable(String bootstrapServers, int lingerMs, String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
