package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The feature operators on a Flink MiniCluster with RocksDB state: their state survives a failure (restored from
 * the last checkpoint) and a rescale from a savepoint (parallelism 1 to 2), with every vector afterwards equal to
 * the offline path's over the same events. Events come from a bounded generator, out of order within the
 * allowed lateness; a static sink collects the vectors (the MiniCluster runs in this JVM).
 *
 * <p>Each test runs twice: with the primary entity's features alone, and with a related entity (the card's
 * merchant) whose stage comes after the card's, wired by {@link FeaturePipeline} as the scoring job does. The offline
 * path feeds a merchant its events in source order; so that the stream does too, each merchant here takes payments
 * only from cards of one card subtask (at parallelism 2), so its events reach it through one channel, in order.
 * How interleaved channels leave the vectors unchanged (as-of reads) is {@code RelatedEntityTest}'s subject.
 */
class FeatureFunctionIT {
    /** The card's features of every kind, and the merchant's count, mean and maximum amount over the hour before. */
    static final FeatureSpec CROSS_ENTITY = FeatureSpec.of(
            java.util.stream.Stream.concat(FeatureFunctionTest.RICH.features().stream(), java.util.stream.Stream.of(
                    io.kingfisher.features.FeatureDef.Lookup.of("merchant", "txn_1h"),
                    io.kingfisher.features.FeatureDef.Lookup.of("merchant", "amt_1h[mean]"),
                    io.kingfisher.features.FeatureDef.Lookup.of("merchant", "amt_1h[max]"),
                    new io.kingfisher.features.FeatureDef.Difference("amount_vs_merchant", "amt_1h[mean]", "merchant.amt_1h[mean]")))
                    .toList(),
            List.of(RelatedFeatureOperatorTest.MERCHANT));
    private static final Map<String, FeatureSpec> SPECS = Map.of("card", FeatureFunctionTest.RICH, "card+merchant", CROSS_ENTITY);
    private static final long M = 60_000L;
    private static final int MAX_PARALLELISM = 128;

    /** Outputs per run; the operators reach them by run name. */
    static final Map<String, Queue<FeaturedEvent>> COLLECTED = new ConcurrentHashMap<>();
    static final Map<String, Map<Integer, AtomicInteger>> BY_SUBTASK = new ConcurrentHashMap<>();
    static final AtomicLong LATEST_CHECKPOINT = new AtomicLong();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        COLLECTED.clear();
        BY_SUBTASK.clear();
        LATEST_CHECKPOINT.set(0);
        FAILED.set(false);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"card", "card+merchant"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stateIsRestoredFromTheLastCheckpointAfterAFailure(String entities) throws Exception {
        FeatureSpec spec = SPECS.get(entities);
        int n = 2_000;
        Configuration conf = rocksDb();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        env.enableCheckpointing(100);
        // 250 events per checkpoint: the failure comes mid-stream, after the third checkpoint
        pipeline(env, spec, "restart", n, RateLimiterStrategy.perCheckpoint(250), 2, true);
        env.execute("features-restart");

        assertTrue(FAILED.get(), "the failure was injected");
        Map<String, float[]> expected = reference(spec, n);
        Map<String, Integer> seen = checkAgainst(expected, COLLECTED.get("restart"));
        assertEquals(n, seen.size(), "every event has its vector");
        assertEquals(1, seen.get("e0"), "e0, before the first checkpoint, was not replayed: the job resumed from a checkpoint");
        if (spec.hasRelated()) {
            int merchantColumn = spec.columnIndex("merchant.txn_1h");
            long known = expected.values().stream().filter(v -> v[merchantColumn] > 0).count();
            assertTrue(known > n * 9 / 10, "the merchant columns are not trivially 0: " + known + " of " + n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"card", "card+merchant"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stateIsRescaledFromASavepointFromOneToTwoSubtasks(String entities) throws Exception {
        FeatureSpec spec = SPECS.get(entities);
        int n = 1_600;
        int first = 800;
        // Run 1, parallelism 1: the source lets 800 events through and then waits for a checkpoint that never comes.
        StreamExecutionEnvironment env1 = StreamExecutionEnvironment.createLocalEnvironment(1, rocksDb());
        pipeline(env1, spec, "before", n, RateLimiterStrategy.perCheckpoint(first), 1, false);
        JobClient job = env1.executeAsync("features-before-savepoint");
        awaitSize("before", first);
        String savepoint = job.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);

        // Run 2, parallelism 2, from the savepoint: the source resumes at event 800.
        Configuration conf = rocksDb();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env2 = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        pipeline(env2, spec, "after", n, RateLimiterStrategy.noOp(), 2, false);
        env2.execute("features-after-savepoint");

        Map<String, float[]> expected = reference(spec, n);
        checkAgainst(expected, COLLECTED.get("before"));
        Map<String, Integer> after = checkAgainst(expected, COLLECTED.get("after"));
        for (int i = first; i < n; i++) {
            assertEquals(1, after.getOrDefault("e" + i, 0), "e" + i + " exactly once after the restore");
        }
        assertEquals(n - first, after.size(), "nothing before the savepoint was replayed");
        Map<Integer, AtomicInteger> subtasks = BY_SUBTASK.get("after");
        assertEquals(2, subtasks.size(), "both feature subtasks emitted: " + subtasks);
        assertTrue(subtasks.values().stream().allMatch(c -> c.get() > 100), "keys spread over both subtasks: " + subtasks);
    }

    private Configuration rocksDb() {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.resolve("checkpoints").toUri().toString());
        return conf;
    }

    /** source (1 subtask, ordered) → keyBy entity → features [→ keyBy merchant → merchant → fill the lookups] → [fail once] → tag subtask → collect. */
    private static void pipeline(StreamExecutionEnvironment env, FeatureSpec spec, String run, int n, RateLimiterStrategy<?> rate,
                                 int parallelism, boolean failOnce) {
        env.setMaxParallelism(MAX_PARALLELISM);
        env.setParallelism(parallelism);
        var events = env.fromSource(new DataGeneratorSource<>(new Events(spec.hasRelated()), n, rate, TypeInformation.of(InputEvent.class)),
                WatermarkStrategy.noWatermarks(), "events").setParallelism(1).uid("events");
        var features = FeaturePipeline.build(events, spec, Duration.ofDays(7), "it", false).featured();
        var after = failOnce ? features.map(new FailOnce()).uid("fail-once") : features;
        after.map(new TagSubtask(run)).uid("tag")
                .sinkTo(new CollectSink(run)).uid("collect");
    }

    /** The offline path over the events in the order the source emits them (per key, the order the operators see). */
    private static Map<String, float[]> reference(FeatureSpec spec, int n) {
        OfflineFeatures offline = new OfflineFeatures(spec);
        Map<String, float[]> expected = new HashMap<>();
        for (long i = 0; i < n; i++) {
            InputEvent e = Events.event(i, spec.hasRelated());
            expected.put(e.eventId, offline.next(e));
        }
        return expected;
    }

    /** Asserts every collected vector equals the reference; returns how often each event was seen. */
    private static Map<String, Integer> checkAgainst(Map<String, float[]> expected, Queue<FeaturedEvent> collected) {
        Map<String, Integer> seen = new HashMap<>();
        for (FeaturedEvent f : collected) {
            assertArrayEquals(expected.get(f.eventId), f.features, "vector of " + f.eventId);
            seen.merge(f.eventId, 1, Integer::sum);
        }
        return seen;
    }

    private static void awaitSize(String run, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (COLLECTED.getOrDefault(run, new ConcurrentLinkedQueue<>()).size() < size) {
            if (System.nanoTime() > deadline) {
                fail("only " + COLLECTED.getOrDefault(run, new ConcurrentLinkedQueue<>()).size() + " of " + size + " vectors arrived");
            }
            Thread.sleep(10);
        }
    }

    /**
     * Event {@code i}: 40 cards taking turns every 30 s, each event up to 30 minutes earlier than its slot
     * (so out of order, within the hour of allowed lateness); amounts and countries from a hash of {@code i}. With a
     * merchant: one of three merchants of the card's subtask at parallelism 2 (see the class comment), by a hash.
     */
    static final class Events implements GeneratorFunction<Long, InputEvent> {
        private static final String[] ABROAD = {"FR", "NG", "DE", "US"};
        private final boolean merchant;

        Events(boolean merchant) {
            this.merchant = merchant;
        }

        @Override
        public InputEvent map(Long i) {
            return event(i, merchant);
        }

        static InputEvent event(long i, boolean merchant) {
            long h = mix(i);
            long t = 1_767_225_600_000L + i * 30_000L - Long.remainderUnsigned(h, 30 * M);
            double amount = Long.remainderUnsigned(h >>> 20, 100_000) / 100.0;
            String country = Long.remainderUnsigned(h >>> 40, 10) < 8 ? "GB" : ABROAD[(int) Long.remainderUnsigned(h >>> 44, 4)];
            String card = "card-" + (i % 40);
            if (!merchant) {
                return new InputEvent("e" + i, card, t, t, new double[]{amount}, new String[]{country});
            }
            int subtask = org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(card, MAX_PARALLELISM, 2);
            String shop = "m" + subtask + "-" + Long.remainderUnsigned(h >>> 50, 3);
            return new InputEvent("e" + i, card, t, t, new double[]{amount}, new String[]{country, shop});
        }

        private static long mix(long x) {
            x += 0x9e3779b97f4a7c15L;
            x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
            x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
            return x ^ (x >>> 31);
        }
    }

    /** Throws once, on the first record after the third completed checkpoint. */
    static final class FailOnce extends RichMapFunction<FeaturedEvent, FeaturedEvent> implements CheckpointListener {
        @Override
        public FeaturedEvent map(FeaturedEvent value) {
            if (LATEST_CHECKPOINT.get() >= 3 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after checkpoint " + LATEST_CHECKPOINT.get());
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            LATEST_CHECKPOINT.accumulateAndGet(checkpointId, Math::max);
        }
    }

    /** Counts the vectors each subtask emits. */
    static final class TagSubtask extends RichMapFunction<FeaturedEvent, FeaturedEvent> {
        private final String run;
        private transient AtomicInteger count;

        TagSubtask(String run) {
            this.run = run;
        }

        @Override
        public void open(OpenContext ctx) {
            count = BY_SUBTASK.computeIfAbsent(run, r -> new ConcurrentHashMap<>())
                    .computeIfAbsent(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), s -> new AtomicInteger());
        }

        @Override
        public FeaturedEvent map(FeaturedEvent value) {
            count.incrementAndGet();
            return value;
        }
    }

    /** Adds every vector to {@link #COLLECTED} under the run's name. */
    static final class CollectSink implements Sink<FeaturedEvent> {
        private final String run;

        CollectSink(String run) {
            this.run = run;
        }

        @Override
        public SinkWriter<FeaturedEvent> createWriter(WriterInitContext context) {
            Queue<FeaturedEvent> queue = COLLECTED.computeIfAbsent(run, r -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(FeaturedEvent element, Context ctx) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
