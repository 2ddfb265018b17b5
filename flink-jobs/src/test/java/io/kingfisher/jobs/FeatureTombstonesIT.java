package io.kingfisher.jobs;

import io.kingfisher.cli.LocalStack;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import io.kingfisher.sim.FraudSimulator;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.streams.features.FeatureLookupApp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An entity idle for {@code features.state_ttl} disappears from the online lookup: the scoring job writes a
 * tombstone to {@code <domain>.features} after its vector, and the lookup answers 404 for it. On a MiniCluster
 * against a real broker, with a TTL of 2 s.
 */
class FeatureTombstonesIT {
    private static final Domain FRAUD = BuiltInDomains.fraud();

    @TempDir
    Path dir;

    @Test
    void anIdleEntitysVectorIsFollowedByATombstoneAndTheLookupForgetsIt() throws Exception {
        try (LocalStack stack = LocalStack.start(dir, 0, 0)) {
            stack.createTopics(FRAUD, 1);
            String store = dir.resolve("models").toUri().toString();
            var model = WarmStart.trainOnSimulation(FRAUD, new FraudSimulator(7, 200, 5, 0.01, 1_767_225_600_000L), 2_000,
                    store, null).snapshot();
            FeatureLookupApp lookup = stack.startFeatureLookup(FRAUD, 0);
            assertTrue(lookup.awaitReady(Duration.ofSeconds(60)), "lookup running");
            stack.startScoreJob(FRAUD, stack.jobConfig(Map.of("checkpoint.interval", "300ms", "features.state_ttl", "2s")),
                    model, store);

            SimulatedEvent ev = new FraudSimulator(99, 50, 5, 0.01, 1_767_225_600_000L).next();
            String entity = ev.key();
            String topic = FRAUD.eventsTopic();
            var ser = new AvroWireSerializer<>(new RestSchemaRegistryClient(stack.registryUrl()), PaymentTransaction.class);
            try (var producer = KafkaTestClients.producer(stack.bootstrapServers())) {
                producer.send(new ProducerRecord<>(topic, entity.getBytes(StandardCharsets.UTF_8),
                        ser.serialize(topic, (PaymentTransaction) ev.value()))).get();
            }

            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create(lookup.url() + "/features/fraud/" + entity);
            assertEquals(200, awaitStatus(http, uri, 200, Duration.ofSeconds(90)), "the entity's vector is served");
            assertEquals(404, awaitStatus(http, uri, 404, Duration.ofSeconds(30)), "and forgotten after the TTL");

            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            try (var consumer = KafkaTestClients.readCommitted(stack.bootstrapServers())) {
                consumer.subscribe(List.of(Topics.features(FRAUD.name())));
                long deadline = System.currentTimeMillis() + 10_000;
                while (records.size() < 2 && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
            assertEquals(2, records.size(), "a vector, then a tombstone");
            for (var r : records) {
                assertEquals(entity, new String(r.key(), StandardCharsets.UTF_8));
            }
            assertTrue(records.get(0).value() != null, "the vector");
            assertNull(records.get(1).value(), "the tombstone");
        }
    }

    private static int awaitStatus(HttpClient http, URI uri, int wanted, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int status;
        do {
            status = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != wanted) {
                Thread.sleep(100);
            }
        } while (status != wanted && System.nanoTime() < deadline);
        return status;
    }
}
