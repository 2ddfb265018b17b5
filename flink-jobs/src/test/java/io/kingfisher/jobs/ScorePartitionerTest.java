package io.kingfisher.jobs;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScorePartitionerTest {

    @Test
    void picksThePartitionKafkasDefaultPartitionerPicksForTheKey() {
        for (int partitions : new int[] {1, 2, 3, 12}) {
            ScorePartitioner p = new ScorePartitioner(partitions);
            for (int i = 0; i < 2_000; i++) {
                String entity = "card-" + i + (i % 7 == 0 ? "-ünïcode" : "");
                assertEquals(BuiltInPartitioner.partitionForKey(entity.getBytes(StandardCharsets.UTF_8), partitions),
                        p.kafkaPartition(entity), entity + " over " + partitions + " partitions");
            }
        }
    }

    @Test
    void eachKafkaPartitionHasExactlyOneScoringSubtask() {
        int partitions = 6;
        int subtasks = 4;
        ScorePartitioner p = new ScorePartitioner(partitions);
        Set<String> writers = new HashSet<>(); // "partition->subtask"
        for (int i = 0; i < 5_000; i++) {
            String entity = "user-" + i;
            writers.add(p.kafkaPartition(entity) + "->" + p.partition(entity, subtasks));
        }
        assertEquals(partitions, writers.size(), "one subtask per partition: " + writers);
    }

    @Test
    void needsAtLeastOnePartition() {
        assertThrows(IllegalArgumentException.class, () -> new ScorePartitioner(0));
    }
}
