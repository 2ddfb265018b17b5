package io.kingfisher.jobs;

import io.kingfisher.cli.LocalStack;
import io.kingfisher.config.Config;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import io.kingfisher.sim.FraudSimulator;
import io.kingfisher.sim.SimulatedEvent;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hot swap on a real broker and registry with the scoring job on a MiniCluster (parallelism 2, two partitions):
 * twenty signed versions swapped in while events flow, interleaved with snapshots that must be refused (a
 * tampered payload, an unsigned one, one for other features, one of the wrong shape, an older version) and
 * records that are no snapshot at all; then a task failure, after which the job restarts from its last
 * checkpoint and goes on scoring with the snapshot it had swapped in, not the initial one. Read back with a
 * read_committed consumer: every event scored exactly once, only accepted versions, never a version going
 * backwards within a partition. Keyed state runs behind Flink's state changelog here ({@code state.changelog=on}),
 * so the restart also restores a RocksDB materialization plus the changelog after it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotSwapIT {
    private static final Domain FRAUD = BuiltInDomains.fraud();
    private static final String KEY = "hot-swap-it-signing-key-0123456789";
    private static final byte[] KEY_BYTES = KEY.getBytes(StandardCharsets.UTF_8);
    private static final int SWAPS = 20;
    private static final int CHUNK = 150;
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final long START = 1_767_225_600_000L;

    @TempDir
    static Path dir;
    static LocalStack stack;
    static JobClient job;
    static FileSystemModelStore store;
    static ModelSnapshot initial;
    static MultiLayerNetwork network;
    static INDArray initialParams;
    static FraudSimulator simulator;
    static AvroWireSerializer<PaymentTransaction> eventSerializer;
    static KafkaProducer<byte[], byte[]> producer;
    static Scores scores;

    static final Set<Long> accepted = new TreeSet<>();
    static final Set<Long> refused = new TreeSet<>();
    static final Set<String> produced = new LinkedHashSet<>();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start(dir, 0, 0);
        stack.createTopics(FRAUD, 2);
        String storeRoot = dir.resolve("models").toUri().toString();
        store = new FileSystemModelStore(storeRoot);
        initial = WarmStart.trainOnSimulation(FRAUD, new FraudSimulator(7, 500, 5, 0.02, START),
                2_000, storeRoot, KEY_BYTES).snapshot();
        accepted.add(initial.getVersion());
        network = Snapshots.loadNetwork(initial, store, KEY_BYTES, FRAUD.features().hash());
        initialParams = network.params().dup();

        // The state changelog on, materialized every 2 s, so the restart restores RocksDB's last materialization
        // plus the log since (the default; set here with the interval, so the log is certain to be used).
        Config config = stack.jobConfig(Map.of("checkpoint.interval", "300ms", "model.hmac_key", KEY,
                "scoring.batch_timeout", "20ms", "state.changelog", "on", "state.materialize_interval", "2s"));
        StreamExecutionEnvironment env = FlinkEnvironments.local(config);
        ScoreJob scoreJob = new ScoreJob(FRAUD, config, initial, storeRoot);
        DataStream<RawRecord> events = scoreJob.kafkaEvents(env).map(new FaultInjection()).name("fault-injection");
        scoreJob.build(events, scoreJob.kafkaSnapshots(env), scoreJob.kafkaScoresSink(), scoreJob.scoresTopicPartitions(),
                scoreJob.kafkaDeadLetterSink());
        job = env.executeAsync("hot-swap-it");

        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.registryUrl());
        eventSerializer = new AvroWireSerializer<>(registry, PaymentTransaction.class);
        simulator = new FraudSimulator(99, 400, 5, 0.02, START);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        scores = new Scores(stack.bootstrapServers(), new AvroWireDeserializer<>(registry, Score.class));
    }

    @AfterAll
    static void stop() throws Exception {
        if (scores != null) {
            scores.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (job != null) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void swapsTwentyTimesWhileEventsFlowAndRefusesEveryBadSnapshot() throws Exception {
        sendEvents(CHUNK);
        await("the first chunk scored", () -> scores.covers(produced));
        int width = FRAUD.features().width();
        for (int k = 1; k <= SWAPS; k++) {
            long version = 10L * k;
            publish(perturbed(version));
            accepted.add(version);
            switch (k) {
                case 3 -> publishRefused(tamperedPayload(version + 5));
                case 6 -> publishRefused(signed(version + 5, network, initial.getFeatureSpecHash(), null));
                case 9 -> publishRefused(signed(version + 5, network, "some-other-feature-spec", KEY_BYTES));
                case 12 -> publishRefused(signed(version + 5,
                        Architectures.mlp(width + 1, new int[] {8}, 5L), initial.getFeatureSpecHash(), KEY_BYTES));
                case 15 -> publishRefused(perturbed(version - 3)); // valid and signed, but older than the one just published
                case 17 -> sendRawSnapshotRecord("not a snapshot".getBytes(StandardCharsets.UTF_8));
                default -> { }
            }
            sendEvents(CHUNK);
            await("chunk " + k + " scored", () -> scores.covers(produced));
        }
        long last = 10L * SWAPS;
        await("v" + last + " scoring in both partitions", () -> {
            if (scores.lastVersionIn(0) == last && scores.lastVersionIn(1) == last) {
                return true;
            }
            sendEvents(50); // the newest model swaps in at a batch boundary: give it batches to take over
            return false;
        });
        await("every event scored", () -> scores.covers(produced));
        scores.pollQuietly(Duration.ofSeconds(2)); // duplicates, if any, would show now

        scores.assertExactlyOnce(produced);
        scores.assertOnlyVersions(accepted, refused);
        scores.assertVersionsNeverGoBackwardsWithinAPartition();
        assertTrue(scores.versionsSeen().contains(initial.getVersion()), "the first chunk was scored by the initial model");
        assertTrue(scores.versionsSeen().contains(last), "the last accepted version took over");
    }

    @Test
    @Order(2)
    void afterATaskFailureTheJobRestartsFromItsCheckpointAndScoresWithTheSwappedModel() throws Exception {
        long last = 10L * SWAPS;
        assertEquals(last, scores.lastVersionIn(0), "precondition: both subtasks serve v" + last + " in a completed checkpoint");
        assertEquals(last, scores.lastVersionIn(1));
        int failuresBefore = FaultInjection.FAILURES.get();
        Set<String> before = new HashSet<>(produced);

        FaultInjection.ARMED.set(true);
        await("the injected failure", () -> {
            if (FaultInjection.FAILURES.get() > failuresBefore) {
                return true;
            }
            sendEvents(20);
            return false;
        });
        sendEvents(CHUNK);
        await("every event scored after the restart", () -> scores.covers(produced));
        scores.pollQuietly(Duration.ofSeconds(2));

        assertEquals(failuresBefore + 1, FaultInjection.FAILURES.get());
        assertEquals(JobStatus.RUNNING, job.getJobStatus().get(30, TimeUnit.SECONDS));
        scores.assertExactlyOnce(produced);
        scores.assertVersionsNeverGoBackwardsWithinAPartition();
        Set<String> after = new HashSet<>(produced);
        after.removeAll(before);
        Map<Long, Integer> versionsAfter = scores.versionsOf(after);
        assertEquals(Map.of(last, after.size()), versionsAfter,
                "every event of the restarted job was scored by the swapped-in v" + last + ", none by the initial v"
                        + initial.getVersion());
        Path log = dir.resolve("checkpoints").resolve(FlinkEnvironments.CHANGELOG_SUBDIR).resolve(job.getJobID().toString());
        assertTrue(Files.isDirectory(log.resolve("dstl")), "the keyed state's changes were logged under " + log);
    }

    // ---- snapshots ----

    /** A new version: the initial network with its weights moved a little, signed. */
    private static ModelSnapshot perturbed(long version) throws Exception {
        Nd4j.getRandom().setSeed(version);
        INDArray noise = Nd4j.randn(DataType.FLOAT, initialParams.shape()).muli(0.02);
        network.setParams(initialParams.add(noise));
        return signed(version, network, initial.getFeatureSpecHash(), KEY_BYTES);
    }

    private static ModelSnapshot signed(long version, MultiLayerNetwork net, String featureSpecHash, byte[] key)
            throws Exception {
        byte[] payload = new ModelCodec().encode(net);
        URI uri = store.put(FRAUD.name(), version, payload);
        return Snapshots.builder(FRAUD.name(), version).parentVersion(initial.getVersion()).createdAt(System.currentTimeMillis())
                .featureSpecHash(featureSpecHash).architecture(Architectures.describe(net))
                .trainerConfig(Map.of("source", "HotSwapIT")).payload(uri, payload).build(key);
    }

    /** Signed metadata over one payload, while the store holds a different one. */
    private static ModelSnapshot tamperedPayload(long version) throws Exception {
        byte[] payload = new ModelCodec().encode(network);
        byte[] stored = payload.clone();
        stored[stored.length / 2] ^= 1;
        URI uri = store.put(FRAUD.name(), version, stored);
        return Snapshots.builder(FRAUD.name(), version).parentVersion(initial.getVersion()).createdAt(System.currentTimeMillis())
                .featureSpecHash(initial.getFeatureSpecHash()).architecture(Architectures.describe(network))
                .payload(uri, payload).build(KEY_BYTES);
    }

    private static void publish(ModelSnapshot s) throws Exception {
        WarmStart.publish(s, stack.bootstrapServers(), stack.registryUrl());
    }

    private static void publishRefused(ModelSnapshot s) throws Exception {
        refused.add(s.getVersion());
        publish(s);
    }

    private static void sendRawSnapshotRecord(byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.MODEL_SNAPSHOTS, FRAUD.name().getBytes(StandardCharsets.UTF_8), value)).get();
    }

    // ---- events ----

    private static void sendEvents(int n) {
        String topic = FRAUD.eventsTopic();
        for (int i = 0; i < n; i++) {
            SimulatedEvent ev = simulator.next();
            producer.send(new ProducerRecord<>(topic, ev.key().getBytes(StandardCharsets.UTF_8),
                    eventSerializer.serialize(topic, (PaymentTransaction) ev.value())));
            produced.add(ev.eventId());
        }
        producer.flush();
    }

    /** Polls scores until the condition holds; the condition may produce more input while it waits. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("gave up waiting for " + what + " after " + PATIENCE.toSeconds() + " s; " + scores.summary(produced));
            }
            scores.poll();
        }
    }

    /**
     * Fails the task it runs in once per arming, on the next record; Flink then restarts the job from its last
     * completed checkpoint. Static state: the MiniCluster runs in this JVM.
     */
    static final class FaultInjection implements MapFunction<RawRecord, RawRecord> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public RawRecord map(RawRecord r) {
            if (ARMED.compareAndSet(true, false)) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected by HotSwapIT: fail once, restart from the checkpoint");
            }
            return r;
        }
    }

    /** Everything a read_committed consumer sees on the scores topic, in offset order per partition. */
    static final class Scores implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AvroWireDeserializer<Score> deserializer;
        private final Map<String, Integer> timesScored = new HashMap<>();
        private final Map<String, Long> versionOf = new HashMap<>();
        private final Map<Integer, List<Long>> versionsByPartition = new TreeMap<>();

        Scores(String bootstrap, AvroWireDeserializer<Score> deserializer) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "hot-swap-it-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.deserializer = deserializer;
            consumer.subscribe(List.of(FRAUD.scoresTopic()));
        }

        void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                Score s = deserializer.deserialize(r.topic(), r.value());
                timesScored.merge(s.getEventId(), 1, Integer::sum);
                versionOf.put(s.getEventId(), s.getModelVersion());
                versionsByPartition.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(s.getModelVersion());
            }
        }

        void pollQuietly(Duration d) {
            long until = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < until) {
                poll();
            }
        }

        boolean covers(Set<String> eventIds) {
            return timesScored.keySet().containsAll(eventIds);
        }

        long lastVersionIn(int partition) {
            List<Long> v = versionsByPartition.get(partition);
            return v == null || v.isEmpty() ? -1 : v.get(v.size() - 1);
        }

        Set<Long> versionsSeen() {
            Set<Long> all = new TreeSet<>();
            versionsByPartition.values().forEach(all::addAll);
            return all;
        }

        Map<Long, Integer> versionsOf(Set<String> eventIds) {
            Map<Long, Integer> count = new TreeMap<>();
            for (String id : eventIds) {
                count.merge(versionOf.get(id), 1, Integer::sum);
            }
            return count;
        }

        void assertExactlyOnce(Set<String> eventIds) {
            assertEquals(eventIds, timesScored.keySet(), "every event scored, nothing else");
            List<String> twice = timesScored.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList();
            assertEquals(List.of(), twice, "events scored more than once");
        }

        void assertOnlyVersions(Set<Long> acceptedVersions, Set<Long> refusedVersions) {
            Set<Long> seen = versionsSeen();
            Set<Long> wronglyUsed = new TreeSet<>(seen);
            wronglyUsed.retainAll(refusedVersions);
            assertEquals(Set.of(), wronglyUsed, "refused snapshots never score");
            assertTrue(acceptedVersions.containsAll(seen), "only accepted versions score: saw " + seen);
        }

        void assertVersionsNeverGoBackwardsWithinAPartition() {
            versionsByPartition.forEach((partition, versions) -> {
                for (int i = 1; i < versions.size(); i++) {
                    if (versions.get(i) < versions.get(i - 1)) {
                        fail("partition " + partition + ": v" + versions.get(i) + " after v" + versions.get(i - 1)
                                + " at its record " + i);
                    }
                }
            });
            assertEquals(Set.of(0, 1), versionsByPartition.keySet(), "both partitions have scores");
        }

        String summary(Set<String> eventIds) {
            long missing = eventIds.stream().filter(id -> !timesScored.containsKey(id)).count();
            return timesScored.size() + " events scored, " + missing + " of " + eventIds.size() + " missing, versions "
                    + versionsSeen() + ", last per partition " + lastVersionIn(0) + "/" + lastVersionIn(1);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
