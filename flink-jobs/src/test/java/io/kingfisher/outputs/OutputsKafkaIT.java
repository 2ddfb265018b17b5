package io.kingfisher.outputs;

import io.kingfisher.cli.LocalStack;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.clinical.VitalSignObservation;
import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.AlertState;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.sim.Simulator;
import io.kingfisher.sim.Simulators;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scoring job on the local stack writes {@code clinical.alerts} exactly as the alert rule says: the alerts read
 * back (read_committed) are the ones the rule derives from the scores read back, per patient in scoring order, each
 * once.
 */
class OutputsKafkaIT {
    private static final int EVENTS = 3000;
    private static final Domain CLINICAL = BuiltInDomains.clinical();

    @TempDir
    static Path dir;
    static LocalStack stack;
    static ModelSnapshot model;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(dir, 0, 0);
        stack.createTopics(CLINICAL, 2);
        String store = dir.resolve("models").toUri().toString();
        model = WarmStart.trainOnSimulation(CLINICAL, Simulators.forDomain(CLINICAL, 5L), 20_000, store, null).snapshot();
        stack.startScoreJob(CLINICAL, stack.jobConfig(Map.of("checkpoint.interval", "300ms")), model, store);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void alertsAreWhatTheRuleMakesOfTheScoresEachOnce() throws Exception {
        var registry = new RestSchemaRegistryClient(stack.registryUrl());
        var ser = new AvroWireSerializer<>(registry, VitalSignObservation.class);
        String topic = CLINICAL.eventsTopic();
        Simulator sim = Simulators.forDomain(CLINICAL, 77L);
        try (var producer = producer()) {
            for (int i = 0; i < EVENTS; i++) {
                SimulatedEvent ev = sim.next();
                producer.send(new ProducerRecord<>(topic, ev.key().getBytes(StandardCharsets.UTF_8),
                        ser.serialize(topic, (VitalSignObservation) ev.value())));
            }
            producer.flush();
        }

        String alertsTopic = CLINICAL.outputs().alertsTopic();
        var scoreDe = new AvroWireDeserializer<>(registry, Score.class);
        var alertDe = new AvroWireDeserializer<>(registry, Alert.class);
        Map<String, List<Score>> byPatient = new HashMap<>();
        List<Alert> alerts = new ArrayList<>();
        int scores = 0;
        try (var consumer = consumer()) {
            consumer.subscribe(List.of(CLINICAL.scoresTopic(), alertsTopic));
            long deadline = System.currentTimeMillis() + 120_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(alertsTopic)) {
                        alerts.add(alertDe.deserialize(r.topic(), r.value()));
                    } else {
                        Score s = scoreDe.deserialize(r.topic(), r.value());
                        byPatient.computeIfAbsent(s.getEntity(), k -> new ArrayList<>()).add(s);
                        scores++;
                    }
                }
                if (scores >= EVENTS && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 3_000; // the alerts commit with the same checkpoints
                }
            }
        }
        assertEquals(EVENTS, scores, "every event scored once");

        AlertRule rule = AlertRule.of(CLINICAL.outputs());
        Set<String> expected = new TreeSet<>();
        int raises = 0;
        for (List<Score> patient : byPatient.values()) {
            String open = null;
            for (Score s : patient) {
                switch (rule.decide(open != null, s.getScore())) {
                    case RAISE:
                        open = "clinical:" + s.getEventId();
                        expected.add(open + " RAISED @" + s.getEventId());
                        raises++;
                        break;
                    case CLEAR:
                        expected.add(open + " CLEARED @" + s.getEventId());
                        open = null;
                        break;
                    default:
                        break;
                }
            }
        }
        assertTrue(raises > 0, "some scores crossed " + rule.alertThreshold());
        Set<String> got = new TreeSet<>();
        Set<String> ids = new HashSet<>();
        for (Alert a : alerts) {
            got.add(a.getAlertId() + " " + a.getState() + " @" + a.getEventId());
            assertTrue(ids.add(a.getAlertId() + a.getState()), "written once: " + a);
            assertEquals(model.getVersion(), a.getModelVersion());
            assertEquals(a.getState() == AlertState.RAISED ? 0.2 : 0.1, a.getThreshold());
        }
        assertEquals(expected, got);
    }

    @Test
    void aMissingOutputTopicIsCreatedLikeTheScoresTopic() throws Exception {
        // recs.feed is not among the topics the local stack creates: the feed's sink would fail on it at start.
        Outputs.ensureTopics(stack.bootstrapServers(), CLINICAL.scoresTopic(), List.of("recs.feed", CLINICAL.outputs().alertsTopic()));
        Outputs.ensureTopics(stack.bootstrapServers(), CLINICAL.scoresTopic(), List.of("recs.feed")); // idempotent
        Properties p = new Properties();
        p.put("bootstrap.servers", stack.bootstrapServers());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            var d = admin.describeTopics(List.of("recs.feed")).allTopicNames().get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(2, d.get("recs.feed").partitions().size(), "as many partitions as " + CLINICAL.scoresTopic());
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
