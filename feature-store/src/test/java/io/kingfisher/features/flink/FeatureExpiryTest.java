package io.kingfisher.features.flink;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An entity idle for the state TTL (processing time) is deleted by its timer and its key emitted on
 * {@link FeatureFunction#EXPIRED}; one written again is not, and its timer moves on; timers survive a restore.
 */
class FeatureExpiryTest {
    private static final long H = 3_600_000L;
    private static final Duration TTL = Duration.ofDays(1);   // grain: an hour
    private static final long DAY = TTL.toMillis();

    private static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> harness(
            InterceptingOperatorMetricGroup metrics, boolean rocksDb) throws Exception {
        return harness(metrics, rocksDb, FeatureFunction.DEFAULT_STATE_CACHE_BYTES);
    }

    /** A {@link FeatureFunction} of {@link FeatureFunctionTest#RICH} with a TTL of a day, in a harness. */
    static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> harness(
            InterceptingOperatorMetricGroup metrics, boolean rocksDb, long cacheBytes) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeatureFunction(FeatureFunctionTest.RICH, TTL, cacheBytes)), (InputEvent e) -> e.entity,
                Types.STRING, MetricsEnvironment.of("features", metrics));
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    /** Moves the timers' clock and the state TTL's clock together, as they are one wall clock in a job. */
    static void at(KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> h, long ms) throws Exception {
        h.setStateTtlProcessingTime(ms);
        h.setProcessingTime(ms);
    }

    private static InputEvent event(String id, String entity, long t) {
        return new InputEvent(id, entity, t, t, new double[]{10}, new String[]{"GB"});
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> h, InputEvent... in)
            throws Exception {
        for (InputEvent e : in) {
            h.processElement(new StreamRecord<>(e, e.eventTime));
        }
    }

    private static List<String> expired(KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> h) {
        var side = h.getSideOutput(FeatureFunction.EXPIRED);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static long count(InterceptingOperatorMetricGroup metrics, String name) {
        return ((Counter) metrics.get(name)).getCount();
    }

    @Test
    void anIdleEntityIsDeletedAndEmittedAfterTheTtlAndOneWrittenAgainIsRearmed() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        try (var h = harness(metrics, false)) { // heap: RocksDB cannot count its entries
            at(h, 0);
            h.open();
            feed(h, event("a1", "a", 0), event("b1", "b", 0));
            assertEquals(2, h.numKeyedStateEntries());
            assertEquals(2, h.numProcessingTimeTimers(), "one timer per entity");

            at(h, 10 * H);
            feed(h, event("a2", "a", 60_000), event("a3", "a", 120_000));
            assertEquals(2, h.numProcessingTimeTimers(), "writing an entity again registers no timer");

            at(h, DAY - 1);
            assertEquals(List.of(), expired(h), "nothing before the TTL");

            at(h, DAY);
            assertEquals(List.of("b"), expired(h), "b, idle for the TTL, is emitted; a, written at 10 h, is not");
            assertEquals(1, h.numKeyedStateEntries(), "b's state is deleted at once, not left to TTL cleanup");
            assertEquals(1, h.numProcessingTimeTimers(), "a is re-armed for its own deadline");
            assertEquals(1L, count(metrics, "featureExpiredEntities"));

            at(h, DAY + 10 * H - 1);
            assertEquals(List.of("b"), expired(h), "a's deadline is 10 h later");
            at(h, DAY + 10 * H);
            assertEquals(List.of("b", "a"), expired(h));
            assertEquals(0, h.numKeyedStateEntries());
            assertEquals(0, h.numProcessingTimeTimers());
            assertEquals(2L, count(metrics, "featureExpiredEntities"));

            feed(h, event("b2", "b", 300_000));
            List<FeaturedEvent> out = h.extractOutputValues();
            assertArrayEquals(new OfflineFeatures(FeatureFunctionTest.RICH).next(event("b2", "b", 300_000)),
                    out.get(out.size() - 1).features, "b back after its expiry starts from a fresh state");
            assertEquals(1, h.numProcessingTimeTimers(), "and is armed again");
        }
    }

    @Test
    void deadlinesAreRoundedUpToTheGrain() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        try (var h = harness(metrics, true)) {
            at(h, 0);
            h.open();
            at(h, 5 * 60_000);
            feed(h, event("a1", "a", 0));
            at(h, DAY + 5 * 60_000);
            assertEquals(List.of(), expired(h), "idle since 24 h 5 min, but checked on the hour");
            at(h, DAY + H - 1);
            assertEquals(List.of(), expired(h));
            at(h, DAY + H);
            assertEquals(List.of("a"), expired(h));
        }
    }

    @Test
    void timersSurviveASnapshotAndRestoreOnRocksDb() throws Exception {
        InterceptingOperatorMetricGroup before = new InterceptingOperatorMetricGroup();
        OperatorSubtaskState snapshot;
        try (var h = harness(before, true)) {
            at(h, 0);
            h.open();
            feed(h, event("a1", "a", 0), event("b1", "b", 0), event("c1", "c", 0));
            at(h, 5 * H);
            feed(h, event("c2", "c", 60_000));
            snapshot = h.snapshot(1L, 5 * H);
        }
        InterceptingOperatorMetricGroup after = new InterceptingOperatorMetricGroup();
        try (var h = harness(after, true)) {
            at(h, 5 * H);
            h.initializeState(snapshot);
            h.open();
            assertEquals(3, h.numProcessingTimeTimers(), "the timers came back with the state");
            at(h, 12 * H);
            feed(h, event("b2", "b", 120_000));

            at(h, DAY);
            assertEquals(List.of("a"), expired(h), "a idle since 0; b written after the restore; c written at 5 h");
            at(h, DAY + 5 * H);
            assertEquals(List.of("a", "c"), expired(h));
            at(h, DAY + 12 * H);
            assertEquals(List.of("a", "c", "b"), expired(h));
            assertEquals(3L, count(after, "featureExpiredEntities"));
            assertEquals(0, h.numProcessingTimeTimers());

            feed(h, event("a2", "a", 180_000));
            assertEquals(1L, count(after, "featureNewEntities"), "a comes back as a new entity: its state was deleted");
        }
    }
}
