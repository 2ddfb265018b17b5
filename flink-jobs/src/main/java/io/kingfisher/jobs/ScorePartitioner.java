package io.kingfisher.jobs;

import io.kingfisher.features.FeaturedEvent;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Sends every event to the scoring subtask that owns the Kafka partition its score will be written to, so that
 * each partition of the scores topic has exactly one writer.
 *
 * <p>Why: scores are keyed by entity and partitioned by Kafka's default key partitioner (murmur2 of the key
 * bytes modulo the partition count). If two scoring subtasks wrote to one partition, their records would
 * interleave in the order they reach the broker, and a subtask that has already swapped to a newer model could
 * be followed by one that has not: versions would go backwards within the partition. With one writer per
 * partition, the order within a partition is one subtask's order, whose model versions only increase.
 *
 * <p>Partition {@code p} goes to subtask {@code p % parallelism}; with fewer partitions than subtasks some
 * scorers stay idle. The partition count is read when the job is built: partitions added to the topic later
 * break the alignment (and the entity-to-partition mapping for every consumer) until the job is restarted.
 */
public final class ScorePartitioner implements Partitioner<String> {
    private static final long serialVersionUID = 1L;

    private final int partitions;

    /** @param partitions the number of partitions of the scores topic, {@code >= 1} */
    public ScorePartitioner(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        this.partitions = partitions;
    }

    /**
     * @param entity the score's key
     * @return the partition Kafka's default partitioner picks for that key
     */
    public int kafkaPartition(String entity) {
        return Utils.toPositive(Utils.murmur2(entity.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public int partition(String entity, int numChannels) {
        return kafkaPartition(entity) % numChannels;
    }

    /** The key a score is written with: the event's entity. */
    public static final class Entity implements KeySelector<FeaturedEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(FeaturedEvent e) {
            return e.entity;
        }
    }
}
