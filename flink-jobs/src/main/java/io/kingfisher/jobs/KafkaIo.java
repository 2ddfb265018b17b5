package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import io.kingfisher.schemas.topic.Topics;

import java.util.Properties;

/** The Kafka sources and exactly-once sinks every Kingfisher job uses, configured one way. */
public final class KafkaIo {
    private KafkaIo() {
    }

    /**
     * @return the records of {@code topic}, read_committed, resuming from the group's committed offsets (earliest
     *     for a new group) on a fresh start and from the checkpoint on a restore
     */
    public static SingleOutputStreamOperator<RawRecord> source(StreamExecutionEnvironment env, Config config, String topic, String group,
                                               String uid) {
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.get(JobSettings.BOOTSTRAP))
                .setTopics(topic)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), topic).uid(uid);
    }

    /**
     * @return every record of {@code model.snapshots}, read_committed, from the earliest offset on a fresh start
     *     (the topic is compacted, so that is at least the latest snapshot of each domain) and from the checkpoint
     *     on a restore; one reader, so each domain's snapshots arrive in publication order. Offsets are never
     *     committed: a fresh start must always see the latest snapshot again.
     */
    public static SingleOutputStreamOperator<RawRecord> snapshots(StreamExecutionEnvironment env, Config config,
                                                                  String group, String uid) {
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.get(JobSettings.BOOTSTRAP))
                .setTopics(Topics.MODEL_SNAPSHOTS)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "snapshots:" + Topics.MODEL_SNAPSHOTS)
                .setParallelism(1)
                .uid(uid);
    }

    /**
     * @return an exactly-once sink: records become visible to read_committed consumers when the checkpoint that
     *     covers them completes
     */
    public static <T> KafkaSink<T> exactlyOnceSink(Config config, String topic, String role,
                                                   KafkaRecordSerializationSchema<T> ser) {
        return exactlyOnceSink(config, topic, role, ser, null);
    }

    /**
     * @param compression the producer's {@code compression.type} (none, gzip, snappy, lz4, zstd), or null for the
     *                    producer's default; worth it where records repeat themselves (e.g. column names)
     * @return an exactly-once sink, as {@link #exactlyOnceSink(Config, String, String, KafkaRecordSerializationSchema)}
     */
    public static <T> KafkaSink<T> exactlyOnceSink(Config config, String topic, String role,
                                                   KafkaRecordSerializationSchema<T> ser, String compression) {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", String.valueOf(config.get(JobSettings.TRANSACTION_TIMEOUT).toMillis()));
        // Records become visible when the checkpoint commits and every checkpoint flushes, so batches may wait and
        // fill: small batches cost a new record builder (and, compressed, a new LZ4 stream) every few records,
        // which was a sixth of the feature stage's thread at full speed. Neither figure touches event→score latency.
        p.setProperty("linger.ms", "20");
        p.setProperty("batch.size", String.valueOf(256 * 1024));
        if (compression != null) {
            p.setProperty("compression.type", compression);
        }
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(JobSettings.BOOTSTRAP))
                .setRecordSerializer(ser)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("kingfisher-" + role + "-" + topic.replace('.', '-'))
                // Reuse transactional producers across checkpoints instead of creating one per checkpoint:
                // producer creation and initTransactions block the chained operators and showed as latency spikes.
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setKafkaProducerConfig(p)
                .build();
    }

    /**
     * @return an at-least-once sink: records are visible as soon as they are acknowledged, without waiting for a
     *     checkpoint; after a restore, what was written since the last checkpoint may be written again. For outputs
     *     whose readers tolerate repeats (model snapshots: scorers take only newer versions)
     */
    public static <T> KafkaSink<T> atLeastOnceSink(Config config, KafkaRecordSerializationSchema<T> ser) {
        Properties p = new Properties();
        p.setProperty("linger.ms", "0");
        p.setProperty("acks", "all");
        p.setProperty("enable.idempotence", "true");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(JobSettings.BOOTSTRAP))
                .setRecordSerializer(ser)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setKafkaProducerConfig(p)
                .build();
    }
}
