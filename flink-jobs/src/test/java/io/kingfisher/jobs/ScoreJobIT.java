package io.kingfisher.jobs;

import io.kingfisher.cli.LocalStack;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.core.DeadLetter;
import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import io.kingfisher.sim.FraudSimulator;
import io.kingfisher.sim.SimulatedEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import io.kingfisher.cli.DemoRun;
import io.kingfisher.cli.DemoSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scoring job on a Flink MiniCluster against a real broker and registry: every valid event is scored
 * exactly once (counted by event id with a read_committed consumer), every bad record lands in the DLQ with
 * its reason and raw bytes, and every score carries the model version.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScoreJobIT {
    private static final int VALID = 3000;
    private static final Domain FRAUD = BuiltInDomains.fraud();

    @TempDir
    static Path dir;
    static LocalStack stack;
    static ModelSnapshot model;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(dir, 0, 0);
        stack.createTopics(FRAUD, 2);
        String store = dir.resolve("models").toUri().toString();
        model = WarmStart.trainOnSimulation(FRAUD, new FraudSimulator(7, 2000, 5, 0.01, 1_767_225_600_000L), 30_000, store, null).snapshot();
        stack.startScoreJob(FRAUD, stack.jobConfig(Map.of("checkpoint.interval", "300ms")), model, store);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void everyValidEventScoredExactlyOnceAndEveryBadRecordDeadLettered() throws Exception {
        var registry = new RestSchemaRegistryClient(stack.registryUrl());
        var ser = new AvroWireSerializer<>(registry, PaymentTransaction.class);
        String topic = FRAUD.eventsTopic();
        FraudSimulator sim = new FraudSimulator(99, 500, 5, 0.01, 1_767_225_600_000L);
        Set<String> validIds = new HashSet<>();
        Map<String, byte[]> badByPosition = new HashMap<>(); // "partition:offset" -> bytes
        Map<String, String> expectedKind = new HashMap<>();

        try (var producer = producer()) {
            for (int i = 0; i < VALID; i++) {
                SimulatedEvent ev = sim.next();
                producer.send(new ProducerRecord<>(topic, ev.key().getBytes(StandardCharsets.UTF_8), ser.serialize(topic, (PaymentTransaction) ev.value())));
                validIds.add(ev.eventId());
            }
            PaymentTransaction base = (PaymentTransaction) sim.next().value();
            byte[] good = ser.serialize(topic, base);
            Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
            bad.put("UNKNOWN_MAGIC_BYTE", "garbage".getBytes(StandardCharsets.UTF_8));
            byte[] unknownId = good.clone();
            unknownId[1] = 0x7f;
            bad.put("UNKNOWN_SCHEMA_ID", unknownId);
            bad.put("TRUNCATED_AVRO", Arrays.copyOf(good, good.length - 8));
            bad.put("TOO_SHORT", new byte[]{0, 0});
            PaymentTransaction nan = PaymentTransaction.newBuilder(base).setAmount(Double.NaN).build();
            bad.put("INVALID_FIELD:amount:NaN", ser.serialize(topic, nan));
            PaymentTransaction negative = PaymentTransaction.newBuilder(base).setAmount(-5).build();
            bad.put("INVALID_FIELD:amount:negative", ser.serialize(topic, negative));
            PaymentTransaction noCard = PaymentTransaction.newBuilder(base).setCardId("").build();
            bad.put("INVALID_FIELD:card_id", ser.serialize(topic, noCard));
            for (var e : bad.entrySet()) {
                RecordMetadata md = producer.send(new ProducerRecord<>(topic, "card-x".getBytes(StandardCharsets.UTF_8), e.getValue())).get();
                String pos = md.partition() + ":" + md.offset();
                badByPosition.put(pos, e.getValue());
                expectedKind.put(pos, e.getKey().split(":")[0]);
            }
            producer.flush();
        }

        List<Score> scores = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        var scoreDe = new AvroWireDeserializer<>(registry, Score.class);
        var dlqDe = new AvroWireDeserializer<>(registry, DeadLetter.class);
        try (var consumer = consumer()) {
            consumer.subscribe(List.of(FRAUD.scoresTopic(), FRAUD.dlqTopic()));
            long deadline = System.currentTimeMillis() + 120_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(FRAUD.dlqTopic())) {
                        dead.add(dlqDe.deserialize(r.topic(), r.value()));
                    } else {
                        scores.add(scoreDe.deserialize(r.topic(), r.value()));
                    }
                }
                if (scores.size() >= VALID && dead.size() >= badByPosition.size() && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 2_000; // keep reading a little: duplicates would show now
                }
            }
        }

        Map<String, Integer> perEvent = new HashMap<>();
        for (Score s : scores) {
            perEvent.merge(s.getEventId(), 1, Integer::sum);
            assertEquals(model.getVersion(), s.getModelVersion(), "score carries the model version");
            assertEquals(FRAUD.features().width(), s.getFeatures().size());
            assertEquals(FRAUD.features().hash(), s.getFeatureSpecHash());
            assertTrue(s.getScore() >= 0 && s.getScore() <= 1, "score in [0,1]: " + s.getScore());
        }
        assertEquals(validIds, perEvent.keySet(), "every valid event scored, nothing else");
        assertTrue(perEvent.values().stream().allMatch(n -> n == 1), "no event scored twice");

        assertEquals(badByPosition.size(), dead.size(), "every bad record dead-lettered once: " + dead);
        for (DeadLetter d : dead) {
            String pos = d.getPartition() + ":" + d.getOffset();
            assertEquals(topic, d.getSourceTopic());
            assertNotNull(badByPosition.get(pos), "DLQ names the source position " + pos);
            assertEquals(expectedKind.get(pos), d.getErrorKind(), d.getError());
            assertArrayEquals(badByPosition.get(pos), bytes(d.getRawValue()), "raw bytes kept whole");
            assertTrue(d.getError().length() > 10, "a reason: " + d.getError());
        }
        assertTrue(dead.stream().anyMatch(d -> d.getError().contains("amount")), "reason names the field");
    }

    /** The demo's checkpoint pauses come from the running job's own statistics (Flink's REST API). */
    @Test
    void theScoringJobsCheckpointPausesAreReadFromFlink() throws Exception {
        io.kingfisher.cli.CheckpointPauses p = stack.scoringCheckpointPauses(0, Long.MAX_VALUE);
        assertTrue(p.checkpoints() > 0, "the job has completed checkpoints by now");
        assertTrue(p.endToEndMs().max() >= p.endToEndMs().p50() && p.endToEndMs().p50() >= 0, p.endToEndMs().toString());
        var score = p.tasks().stream().filter(t -> t.name().startsWith("score")).findFirst().orElseThrow(
                () -> new AssertionError("no score task among " + p.tasks()));
        assertTrue(score.syncMs().p50() >= 0 && score.syncMs().max() >= score.syncMs().p50(), score.toString());
        assertTrue(p.tasks().stream().anyMatch(t -> t.name().startsWith("features")), p.tasks().toString());
        assertEquals(p.checkpoints(), p.spans().size(), "a span per checkpoint");
        var first = p.spans().get(0);
        var scorePaused = p.taskSpans().get(score.name()).get(0);
        assertTrue(scorePaused.from() >= first.from() && scorePaused.to() <= first.to(),
                "the score task paused within the first checkpoint: " + scorePaused + " in " + first);
        assertEquals(0, stack.scoringCheckpointPauses(System.currentTimeMillis() + 60_000, Long.MAX_VALUE).checkpoints(),
                "none triggered in a span still to come");
    }

    /** Starts 90 simulated days after the first test's events: the same cards, but never later than allowed. */
    @Test
    @Order(2)
    void theDemoDriverCountsEveryEventOnceAndEveryMalformedRecordInTheDlq() throws Exception {
        DemoSummary s = DemoRun.simulated(FRAUD, stack.bootstrapServers(), stack.registryUrl(),
                new FraudSimulator(123, 300, 5, 0.01, 1_767_225_600_000L + 90L * 86_400_000L), 25, 400, Duration.ofSeconds(4),
                Duration.ofSeconds(60), Duration.ZERO, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
                System.currentTimeMillis()).run();
        assertTrue(s.eventsIn() > 1000, "events produced: " + s.eventsIn());
        assertEquals(s.eventsIn(), s.scoresOut());
        assertEquals(0, s.missing());
        assertEquals(0, s.duplicates());
        assertEquals(0, s.unexpected());
        assertTrue(s.badIn() > 40, "malformed records injected: " + s.badIn());
        assertEquals(s.badIn(), s.dlq(), "every malformed record dead-lettered: " + s.dlqByKind());
        assertEquals(java.util.Set.of("UNKNOWN_MAGIC_BYTE", "UNKNOWN_SCHEMA_ID", "TRUNCATED_AVRO", "INVALID_FIELD"),
                s.dlqByKind().keySet());
        assertEquals(List.of(model.getVersion()), s.modelVersions());
        assertTrue(s.latencyMs().p99() >= s.latencyMs().p50());
    }

    /**
     * The vectors on the compacted features topic: each one the features a scored event was scored with (an entity's
     * latest per checkpoint, so at most one per scored event), and each entity's latest vector (by event time, the
     * lookup's rule) is its latest score's. Not compared: the order of an entity's records across the two topics,
     * which the merchant stage may change (see FeaturePipeline).
     */
    @Test
    @Order(3)
    void everyScoredEventsVectorIsPublishedForTheLookup() throws Exception {
        var registry = new RestSchemaRegistryClient(stack.registryUrl());
        var scoreDe = new AvroWireDeserializer<>(registry, Score.class);
        var vectorDe = new AvroWireDeserializer<>(registry, FeatureVector.class);
        String featuresTopic = io.kingfisher.schemas.topic.Topics.features(FRAUD.name());
        Map<String, List<String>> scored = new HashMap<>();
        Map<String, List<String>> published = new HashMap<>();
        Map<String, Score> lastScore = new HashMap<>();
        Map<String, FeatureVector> lastVector = new HashMap<>();
        int scores = 0;
        int vectors = 0;
        try (var consumer = consumer()) {
            consumer.subscribe(List.of(FRAUD.scoresTopic(), featuresTopic));
            long deadline = System.currentTimeMillis() + 60_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                var batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    if (r.topic().equals(featuresTopic)) {
                        FeatureVector v = vectorDe.deserialize(r.topic(), r.value());
                        assertEquals(v.getEntity(), new String(r.key(), StandardCharsets.UTF_8), "keyed by entity");
                        published.computeIfAbsent(v.getEntity(), e -> new java.util.ArrayList<>()).add(v.getEventTime() + " " + v.getValues());
                        lastVector.merge(v.getEntity(), v, (a, b) -> b.getEventTime() >= a.getEventTime() ? b : a);
                        vectors++;
                    } else {
                        Score sc = scoreDe.deserialize(r.topic(), r.value());
                        scored.computeIfAbsent(sc.getEntity(), e -> new java.util.ArrayList<>()).add(sc.getEventTime() + " " + sc.getFeatures());
                        lastScore.merge(sc.getEntity(), sc, (a, b) -> b.getEventTime() >= a.getEventTime() ? b : a);
                        scores++;
                    }
                }
                boolean caughtUp = scores >= VALID && lastScore.keySet().equals(lastVector.keySet())
                        && lastScore.entrySet().stream().allMatch(e -> e.getValue().getEventTime() == lastVector.get(e.getKey()).getEventTime());
                if (caughtUp && batch.isEmpty() && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 2_000;
                } else if (!batch.isEmpty()) {
                    quietUntil = Long.MAX_VALUE;
                }
            }
        }
        assertTrue(scores >= VALID, "scores read: " + scores);
        assertTrue(vectors > 0 && vectors <= scores, "at most one vector per scored event: " + vectors + " vectors, " + scores + " scores");
        assertEquals(lastScore.keySet(), lastVector.keySet());
        published.forEach((entity, vs) -> assertTrue(scored.getOrDefault(entity, List.of()).containsAll(vs),
                "every vector of " + entity + " is the features an event was scored with: " + vs + " against " + scored.get(entity)));
        for (FeatureVector v : lastVector.values()) {
            Score sc = lastScore.get(v.getEntity());
            assertEquals("fraud", v.getDomain());
            assertEquals(FRAUD.features().hash(), v.getFeatureSpecHash());
            assertEquals(FRAUD.features().outputNames(), v.getNames());
            assertEquals(sc.getEventTime(), v.getEventTime(), "entity " + v.getEntity());
            assertEquals(sc.getFeatures(), v.getValues(), "the vector of the latest event, entity " + v.getEntity());
            assertTrue(v.getUpdatedAt() > 0 && v.getUpdatedAt() <= System.currentTimeMillis(), "wall-clock write time");
        }
    }

    /**
     * The merchant's label features read {@code fraud.labels}: fraud labels filed against a merchant reach the
     * payments made there on a later day (as of the day before the payment's), a genuine one counts no fraud.
     */
    @Test
    @Order(4)
    void fraudLabelsFiledAgainstAMerchantReachItsLaterPayments() throws Exception {
        var registry = new RestSchemaRegistryClient(stack.registryUrl());
        var labelSer = new AvroWireSerializer<>(registry, io.kingfisher.schemas.fraud.FraudLabel.class);
        var txSer = new AvroWireSerializer<>(registry, PaymentTransaction.class);
        var scoreDe = new AvroWireDeserializer<>(registry, Score.class);
        long day = 86_400_000L;
        long t0 = 1_767_225_600_000L + 60 * day;
        String merchant = "m-it-labels";
        int frauds = FRAUD.features().columnIndex("merchant.frauds_7d");
        int payments = FRAUD.features().columnIndex("merchant.txn_7d");
        int rate = FRAUD.features().columnIndex("merchant_fraud_rate");
        PaymentTransaction base = (PaymentTransaction) new FraudSimulator(5, 10, 5, 0.01, t0).next().value();
        try (var producer = producer(); var consumer = consumer()) {
            String labels = FRAUD.labelsTopic();
            for (int i = 0; i < 4; i++) {
                var label = io.kingfisher.schemas.fraud.FraudLabel.newBuilder()
                        .setTransactionId("tx-it-label-" + i).setCardId("card-it-label-" + i).setIsFraud(i < 3).setSource(io.kingfisher.schemas.fraud.LabelSource.CHARGEBACK)
                        .setLabelTime(t0 + i * 60_000L).setMerchantId(merchant).build();
                producer.send(new ProducerRecord<>(labels, label.getCardId().getBytes(StandardCharsets.UTF_8),
                        labelSer.serialize(labels, label)));
            }
            String events = FRAUD.eventsTopic();
            PaymentTransaction first = PaymentTransaction.newBuilder(base).setTransactionId("tx-it-merchant-0")
                    .setCardId("card-it-merchant").setMerchantId(merchant).setEventTime(t0 + day).build();
            producer.send(new ProducerRecord<>(events, first.getCardId().getBytes(StandardCharsets.UTF_8), txSer.serialize(events, first)));
            producer.flush();
            consumer.subscribe(List.of(FRAUD.scoresTopic()));
            long deadline = System.currentTimeMillis() + 60_000;
            Score seen = null;
            java.util.Set<String> unscored = new java.util.HashSet<>(List.of(first.getTransactionId()));
            for (int i = 1; (seen == null || seen.getFeatures().get(frauds) < 3) && System.currentTimeMillis() < deadline; i++) {
                // the labels and the payments come through different sources: pay again until all three frauds are in
                // (a payment between two of the labels reads the frauds so far)
                PaymentTransaction tx = PaymentTransaction.newBuilder(first).setTransactionId("tx-it-merchant-" + i)
                        .setEventTime(t0 + 2 * day + i * 1000L).build();
                producer.send(new ProducerRecord<>(events, tx.getCardId().getBytes(StandardCharsets.UTF_8), txSer.serialize(events, tx)));
                producer.flush();
                unscored.add(tx.getTransactionId());
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(1000))) {
                    Score sc = scoreDe.deserialize(r.topic(), r.value());
                    unscored.remove(sc.getEventId());
                    if (sc.getEventId().startsWith("tx-it-merchant-") && !sc.getEventId().equals("tx-it-merchant-0")
                            && sc.getFeatures().get(frauds) > 0) {
                        seen = sc;
                    }
                }
            }
            // the payments sent after the one seen are scored too before the next test, whose count of the scores
            // topic from its start would otherwise take them for its own
            while (!unscored.isEmpty() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    unscored.remove(scoreDe.deserialize(r.topic(), r.value()).getEventId());
                }
            }
            assertNotNull(seen, "a later payment at " + merchant + " read its fraud labels");
            assertEquals(3f, seen.getFeatures().get(frauds), "three frauds, the genuine label not: " + seen.getFeatures());
            assertEquals(1f, seen.getFeatures().get(payments), "the payment of the day before: " + seen.getFeatures());
            assertEquals(3f, seen.getFeatures().get(rate), 1e-6f);
        }
    }

    /**
     * As fast as possible with a warm-up: the measured run starts once the warm-up's backlog is scored, and lasts its
     * duration from there. Later simulated days and other cards than the tests before.
     */
    @Test
    @Order(5)
    void atMaximalRateTheMeasuredRunStartsAfterTheWarmUpsBacklog() throws Exception {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        DemoSummary s = DemoRun.simulated(FRAUD, stack.bootstrapServers(), stack.registryUrl(),
                new FraudSimulator(321, 300, 5, 0.01, 1_767_225_600_000L + 120L * 86_400_000L), 500, 0, Duration.ofSeconds(1),
                Duration.ofSeconds(120), Duration.ofSeconds(1), new java.io.PrintStream(printed, true),
                System.currentTimeMillis()).run();
        String out = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("warm-up done:"), out);
        assertEquals(s.eventsIn(), s.scoresOut());
        assertEquals(0, s.missing());
        assertEquals(0, s.duplicates());
        assertEquals(s.badIn(), s.dlq());
        assertTrue(s.durationSeconds() >= 1.0, "a full second measured after the backlog: " + s.durationSeconds());
        assertTrue(s.throughputEps() > 0, "throughput of the measured second: " + s.throughputEps());
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return KafkaTestClients.producer(stack.bootstrapServers());
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        return KafkaTestClients.readCommitted(stack.bootstrapServers());
    }
}
