package io.kingfisher.cli;

import io.kingfisher.schemas.clicks.ClickEvent;
import io.kingfisher.schemas.clicks.ClickEventType;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kingfisher generate} against a real broker and registry: events and labels in the wire format, keyed by entity. */
class GenerateCommandIT {

    @Test
    void writesEventsAndLabelsToTheirTopics(@TempDir Path dir) throws Exception {
        try (LocalStack stack = LocalStack.start(dir, 0, 0)) {
            StringWriter err = new StringWriter();
            int code = Kingfisher.run(new String[]{"generate", "--domain", "clicks", "--rate", "300", "--duration", "4s",
                    "--time-scale", "600", "--seed", "5", "--bootstrap", stack.bootstrapServers(),
                    "--registry", stack.registryUrl()}, new PrintWriter(err, true));
            assertEquals(0, code, err.toString());

            List<ConsumerRecord<byte[], byte[]>> events = readAll(stack.bootstrapServers(), "clicks.events");
            List<ConsumerRecord<byte[], byte[]>> labels = readAll(stack.bootstrapServers(), "clicks.labels");
            // 4 s at 300 events/s on average over a simulated day; these are the first 40 simulated minutes after
            // midnight, when a feed is quiet (a quarter of the busiest hour), so fewer than 1200.
            assertTrue(events.size() > 250 && events.size() < 1800, "events " + events.size());
            assertTrue(!labels.isEmpty(), "clicks within 40 simulated minutes");

            AvroWireDeserializer<ClickEvent> de = new AvroWireDeserializer<>(new RestSchemaRegistryClient(stack.registryUrl()), ClickEvent.class);
            Set<String> impressions = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : events) {
                ClickEvent e = de.deserialize(r.topic(), r.value());
                assertEquals(ClickEventType.IMPRESSION, e.getType());
                assertEquals(e.getUserId(), new String(r.key(), StandardCharsets.UTF_8));
                impressions.add(e.getImpressionId());
            }
            for (ConsumerRecord<byte[], byte[]> r : labels) {
                ClickEvent c = de.deserialize(r.topic(), r.value());
                assertEquals(ClickEventType.CLICK, c.getType());
                assertTrue(impressions.contains(c.getImpressionId()), "a click names an impression written before it");
                assertEquals(c.getUserId(), new String(r.key(), StandardCharsets.UTF_8));
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
