package io.kingfisher.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ids, versions, levels and records survive a registry restart and a broker restart on the same data. */
class RestartIT {

    @TempDir
    Path dir;

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Kept\",\"namespace\":\"it\","
            + "\"fields\":[" + fields + "]}");
    }

    private static final Schema V1 = record("{\"name\":\"a\",\"type\":\"int\"}");
    private static final Schema V2 = record("{\"name\":\"a\",\"type\":\"int\"},"
        + "{\"name\":\"b\",\"type\":\"string\",\"default\":\"\"}");
    private static final Schema OTHER = record("{\"name\":\"z\",\"type\":\"double\"}");

    /** The registry content as the client sees it. */
    private static List<Object> snapshot(SchemaRegistryClient c) {
        return List.of(c.subjects(), c.versions("kept-value"), c.getVersion("kept-value", 1), c.getLatest("kept-value"),
            c.getLatest("other-value"), c.getCompatibility(null), c.getCompatibility("other-value"));
    }

    @Test
    void registryAndBrokerRestartsKeepIdsAndRecords() throws Exception {
        Path data = dir.resolve("kafka");
        List<Object> before;
        int v1;
        int v2;
        int other;
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data, 0);
        try {
            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0)) {
                RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
                v1 = client.register("kept-value", V1);
                v2 = client.register("kept-value", V2);
                other = client.register("other-value", OTHER);
                client.setCompatibility(null, "FULL");
                client.setCompatibility("other-value", "NONE");
                before = snapshot(client);
            }
            broker.createTopic("kept", 1, Map.of());
            try (KafkaProducer<String, String> producer =
                     KafkaTestClients.producer(broker.bootstrapServers(), "restart-tx")) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("kept", "k" + i, "v" + i));
                }
                producer.commitTransaction();
            }

            // A new registry on the same broker reads _schemas back.
            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0)) {
                RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
                assertEquals(before, snapshot(client));
                assertEquals(V1, client.getById(v1));
                assertEquals(V2, client.getById(v2));
                assertEquals(OTHER, client.getById(other));
            }
        } finally {
            broker.close();
        }

        // The broker restarted on the same data directory keeps topics, records and the registry's state.
        try (EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(data, 0);
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(restarted.bootstrapServers(), 0)) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url());
            assertEquals(before, snapshot(client));
            assertEquals(v2, client.lookup("kept-value", V2).orElseThrow().id());
            int next = client.register("new-value", record("{\"name\":\"n\",\"type\":\"boolean\"}"));
            assertEquals(Math.max(v1, Math.max(v2, other)) + 1, next, "ids are not reused");
            assertNotEquals(v1, client.register("new-value", record("{\"name\":\"n\",\"type\":\"boolean\"},"
                + "{\"name\":\"m\",\"type\":\"int\",\"default\":0}")));

            restarted.createTopic("kept", 1, Map.of());
            try (KafkaConsumer<String, String> consumer =
                     KafkaTestClients.consumer(restarted.bootstrapServers(), "after-restart", "read_committed")) {
                consumer.subscribe(List.of("kept"));
                List<String> values = KafkaTestClients.pollAtLeast(consumer, 10).stream().map(ConsumerRecord::value)
                    .toList();
                assertEquals(List.of("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"), values);
            }
        }
    }
}
