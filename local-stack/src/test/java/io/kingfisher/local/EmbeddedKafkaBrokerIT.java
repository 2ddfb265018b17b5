package io.kingfisher.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void answersOnLoopback() {
        assertTrue(broker.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), broker.bootstrapServers());
        assertEquals(dir.resolve("kafka").toAbsolutePath(), broker.dataDir());
    }

    @Test
    void refusesADataDirectoryOrPortInUse() {
        IllegalStateException sameDir = assertThrows(IllegalStateException.class,
            () -> EmbeddedKafkaBroker.start(broker.dataDir(), 0));
        assertEquals("Kafka data directory " + broker.dataDir().resolve("kafka-logs")
            + " is in use by another embedded broker in this JVM", sameDir.getMessage());
        IllegalStateException samePort = assertThrows(IllegalStateException.class,
            () -> EmbeddedKafkaBroker.start(dir.resolve("other"), broker.port()));
        assertTrue(samePort.getMessage().startsWith("port " + broker.port() + " on 127.0.0.1 is in use"),
            samePort.getMessage());
        broker.createTopic("still-served", 1, Map.of());
    }

    @Test
    void producesAndConsumesReadCommitted() throws Exception {
        broker.createTopic("round-trip", 3, Map.of());
        try (KafkaProducer<String, String> producer = KafkaTestClients.producer(broker.bootstrapServers(), null)) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("round-trip", "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaConsumer<String, String> consumer =
                 KafkaTestClients.consumer(broker.bootstrapServers(), "rt", "read_committed")) {
            consumer.subscribe(List.of("round-trip"));
            List<ConsumerRecord<String, String>> records = KafkaTestClients.pollAtLeast(consumer, 30);
            assertEquals(30, records.size());
            for (ConsumerRecord<String, String> r : records) {
                assertEquals("v" + r.key().substring(1), r.value());
            }
            assertEquals(3, records.stream().map(ConsumerRecord::partition).distinct().count());
        }
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly() throws Exception {
        broker.createTopic("tx", 1, Map.of());
        try (KafkaProducer<String, String> producer = KafkaTestClients.producer(broker.bootstrapServers(), "tx-1")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "a", "committed-1"));
            producer.send(new ProducerRecord<>("tx", "a", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "a", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "a", "committed-3"));
            producer.commitTransaction();
        }
        try (KafkaConsumer<String, String> committed =
                 KafkaTestClients.consumer(broker.bootstrapServers(), "tx-committed", "read_committed");
             KafkaConsumer<String, String> uncommitted =
                 KafkaTestClients.consumer(broker.bootstrapServers(), "tx-uncommitted", "read_uncommitted")) {
            committed.subscribe(List.of("tx"));
            uncommitted.subscribe(List.of("tx"));
            assertEquals(List.of("committed-1", "committed-2", "committed-3"),
                KafkaTestClients.pollAtLeast(committed, 3).stream().map(ConsumerRecord::value).toList());
            assertEquals(List.of("committed-1", "committed-2", "aborted", "committed-3"),
                KafkaTestClients.pollAtLeast(uncommitted, 4).stream().map(ConsumerRecord::value).toList());
        }
    }

    @Test
    void createTopicIsIdempotentAndNamesAPartitionMismatch() throws Exception {
        broker.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        broker.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "compacted")))
            .all().get(30, TimeUnit.SECONDS).values().iterator().next();
        assertEquals("compact", config.get("cleanup.policy").value());
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> broker.createTopic("compacted", 4, Map.of()));
        assertEquals("topic 'compacted' exists with 1 partition(s), not the 4 asked for", e.getMessage());
    }

    @Test
    void autoCreatesTopicsWithTwoPartitions() throws Exception {
        try (KafkaProducer<String, String> producer = KafkaTestClients.producer(broker.bootstrapServers(), null)) {
            producer.send(new ProducerRecord<>("auto-created", "k", "v")).get(30, TimeUnit.SECONDS);
        }
        assertEquals(2, admin.describeTopics(List.of("auto-created")).allTopicNames().get(30, TimeUnit.SECONDS)
            .get("auto-created").partitions().size());
    }

    @Test
    void brokerKeepsRecordsForeverAndAllowsLongTransactions() throws Exception {
        Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, "1")))
            .all().get(30, TimeUnit.SECONDS).values().iterator().next();
        assertEquals("-1", config.get("log.retention.ms").value());
        assertEquals("900000", config.get("transaction.max.timeout.ms").value());
        assertEquals("1", config.get("transaction.state.log.min.isr").value());
        assertEquals("0", config.get("group.initial.rebalance.delay.ms").value());
    }
}
