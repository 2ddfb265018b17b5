package io.kingfisher.streams.features;

import static io.kingfisher.streams.features.Vectors.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kingfisher.local.EmbeddedKafkaBroker;
import io.kingfisher.local.EmbeddedSchemaRegistry;
import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lookup against a real broker and registry: vectors written in Kafka transactions (as the scoring job writes
 * them) are served over HTTP once committed, never from an aborted transaction; updates show; a tombstone deletes
 * (404 afterwards, also after a restart); unknown entities and domains are 404s; the RocksDB state (on frocksdbjni)
 * survives a restart; a missing topic fails the start.
 */
class FeatureLookupIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    static EmbeddedSchemaRegistry registry;
    static AvroWireSerializer<FeatureVector> serializer;

    @BeforeAll
    static void startStack() {
        FeatureLookupApp.lowLatencyHttp(); // before the registry's HTTP server, as the local stack should
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        broker.createTopic(Topics.features("fraud"), 2, Map.of("cleanup.policy", "compact"));
        broker.createTopic(Topics.features("clicks"), 1, Map.of("cleanup.policy", "compact"));
        serializer = new AvroWireSerializer<>(new RestSchemaRegistryClient(registry.url()), FeatureVector.class);
    }

    @AfterAll
    static void stopStack() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(String id) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static ProducerRecord<byte[], byte[]> record(FeatureVector v) {
        String topic = Topics.features(v.getDomain());
        return new ProducerRecord<>(topic, v.getEntity().getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, v));
    }

    private static void commit(KafkaProducer<byte[], byte[]> producer, FeatureVector... vectors) {
        producer.beginTransaction();
        Arrays.stream(vectors).forEach(v -> producer.send(record(v)));
        producer.commitTransaction();
    }

    /** A tombstone (null value) for {@code entity}, committed as the scoring job would write one. */
    private static void commitTombstone(KafkaProducer<byte[], byte[]> producer, String domain, String entity) {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(Topics.features(domain), entity.getBytes(StandardCharsets.UTF_8), null));
        producer.commitTransaction();
    }

    /** GETs {@code path} until the answer has the given status. */
    private static void awaitStatus(FeatureLookupApp app, String path, int status) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(app, path);
            if (last.statusCode() == status) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + status + " at " + path + " within " + DEADLINE + "; last answer "
            + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }

    private static HttpResponse<String> get(FeatureLookupApp app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.url() + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code path} until the answer is 200 with the given event time. */
    private static JsonNode awaitVector(FeatureLookupApp app, String path, long eventTime) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(app, path);
            if (last.statusCode() == 200) {
                JsonNode body = JSON.readTree(last.body());
                if (body.get("event_time").asLong() == eventTime) {
                    return body;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no vector with event_time " + eventTime + " at " + path + " within " + DEADLINE
            + "; last answer " + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }

    private static FeatureLookupConfig config(Path stateDir, String applicationId, List<String> domains) {
        return FeatureLookupConfig.of(broker.bootstrapServers(), registry.url(), domains, stateDir).withHttpPort(0)
            .withApplicationId(applicationId);
    }

    @Test
    void servesTheLatestCommittedVectorAndKeepsItAcrossARestart() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer("lookup-it")) {
            commit(producer, vector("card-1", 10, 1f, 2f), vector("card-2", 5, 3f, 4f),
                vector("clicks", "user/1", 7, "spec-c", 0.25f));
            commit(producer, vector("card-1", 20, 5f, 6f));
            producer.beginTransaction();
            producer.send(record(vector("card-1", 30, 9f, 9f)));
            producer.send(record(vector("card-3", 30, 9f, 9f)));
            producer.flush();
            producer.abortTransaction();
            commit(producer, vector("card-4", 1, 0f, 0f)); // after the aborted ones: once it shows, they were read

            Path stateDir = dir.resolve("lookup-state");
            long started = System.nanoTime();
            FeatureLookupApp app = FeatureLookupApp.start(config(stateDir, "lookup-it", List.of("fraud", "clicks")));
            try {
                assertTrue(app.awaitReady(DEADLINE), "not RUNNING within " + DEADLINE + ": " + app.state());
                long readyMs = (System.nanoTime() - started) / 1_000_000;
                awaitVector(app, "/features/fraud/card-4", 1);
                System.out.printf("lookup ready %d ms after start, first vector served %d ms after start%n", readyMs,
                    (System.nanoTime() - started) / 1_000_000);

                JsonNode card1 = awaitVector(app, "/features/fraud/card-1", 20);
                assertEquals("fraud", card1.get("domain").asText());
                assertEquals("card-1", card1.get("entity").asText());
                assertEquals(25, card1.get("updated_at").asLong());
                assertEquals(Vectors.SPEC, card1.get("feature_spec_hash").asText());
                assertEquals("{\"f0\":5.0,\"f1\":6.0}", card1.get("features").toString(), "not the aborted vector");

                HttpResponse<String> aborted = get(app, "/features/fraud/card-3");
                assertEquals(404, aborted.statusCode(), aborted.body());
                assertEquals("no features for entity 'card-3' in domain 'fraud'",
                    JSON.readTree(aborted.body()).get("error").asText());
                assertEquals("application/json; charset=utf-8", aborted.headers().firstValue("Content-Type").orElse(""));

                assertEquals(0.25, awaitVector(app, "/features/clicks/user%2F1", 7).get("features").get("f0").asDouble());
                assertEquals(404, get(app, "/features/clinical/p-1").statusCode());
                assertEquals(400, get(app, "/features/fraud").statusCode());
                HttpResponse<String> health = get(app, "/health");
                assertEquals(200, health.statusCode(), health.body());

                commit(producer, vector("card-1", 40, 7f, 8f));
                awaitVector(app, "/features/fraud/card-1", 40);
                commit(producer, vector("card-1", 35, 0f, 0f)); // a late event's vector
                commit(producer, vector("card-5", 1, 0f, 0f));
                awaitVector(app, "/features/fraud/card-5", 1);
                assertEquals(40, awaitVector(app, "/features/fraud/card-1", 40).get("event_time").asLong());

                measureLookups(app);

                commitTombstone(producer, "fraud", "card-2");
                awaitStatus(app, "/features/fraud/card-2", 404);
                assertEquals(200, get(app, "/features/fraud/card-1").statusCode(), "only card-2 was deleted");
            } finally {
                app.close();
            }

            try (Stream<Path> files = Files.walk(stateDir)) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("features-fraud")
                    && f.getParent().getFileName().toString().equals("rocksdb")), "the fraud store is on RocksDB");
            }
            String jar = org.rocksdb.RocksDB.class.getProtectionDomain().getCodeSource().getLocation().toString();
            assertTrue(jar.contains("frocksdbjni"), "org.rocksdb came from " + jar);

            long restarted = System.nanoTime();
            FeatureLookupApp again = FeatureLookupApp.start(config(stateDir, "lookup-it", List.of("fraud", "clicks")));
            try {
                assertTrue(again.awaitReady(DEADLINE), "not RUNNING again within " + DEADLINE + ": " + again.state());
                System.out.printf("restarted lookup ready %d ms after start%n", (System.nanoTime() - restarted) / 1_000_000);
                HttpResponse<String> kept = get(again, "/features/fraud/card-1");
                assertEquals(200, kept.statusCode(), "served from the local store right after the restart: " + kept.body());
                assertEquals(40, JSON.readTree(kept.body()).get("event_time").asLong());
                assertEquals(404, get(again, "/features/fraud/card-2").statusCode(), "the deletion survived the restart");
            } finally {
                again.close();
            }
        }
    }

    /** Lookup latency over HTTP on this machine, sequential, for the record. */
    private static void measureLookups(FeatureLookupApp app) throws Exception {
        int n = 1000;
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = get(app, i % 2 == 0 ? "/features/fraud/card-1" : "/features/fraud/card-2");
            nanos[i] = System.nanoTime() - t;
            assertEquals(200, r.statusCode());
        }
        Arrays.sort(nanos);
        System.out.printf("%d sequential lookups: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", n, nanos[n / 2] / 1e6,
            nanos[n * 99 / 100] / 1e6, nanos[n - 1] / 1e6);
    }

    @Test
    void aMissingTopicFailsTheStartNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> FeatureLookupApp.start(config(dir.resolve("missing-state"), "lookup-missing", List.of("fraud", "clinical"))));
        assertTrue(e.getMessage().contains("clinical.features"), e.getMessage());
    }
}
