package io.kingfisher.features.flink;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary stage's read cache of entity states ({@link StateReadCache} in {@link EntityFeatureFunction}): it changes
 * no vector and no rejection, whatever its size, on RocksDB and on the heap backend; a restored subtask reads keyed
 * state; a held state idle for the TTL is not used.
 */
class FeatureStateCacheTest {
    private static final long H = 3_600_000L;
    private static final long DAY = Duration.ofDays(1).toMillis();   // FeatureExpiryTest's TTL; grain: an hour

    private static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> harness(
            long cacheBytes, InterceptingOperatorMetricGroup metrics) throws Exception {
        return FeatureExpiryTest.harness(metrics, true, cacheBytes);
    }

    private static void at(KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> h, long ms) throws Exception {
        FeatureExpiryTest.at(h, ms);
    }

    private static InputEvent event(String id, String entity, long t, double amount, String country) {
        return new InputEvent(id, entity, t, t, new double[]{amount}, new String[]{country});
    }

    /** 600 events over 40 entities, a few of them too late for their entity and a few with an infinite amount. */
    private static List<InputEvent> stream() {
        SplittableRandom rnd = new SplittableRandom(7);
        String[] countries = {"GB", "FR", "DE", "NG"};
        List<InputEvent> in = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 600; i++) {
            t += rnd.nextLong(60_000);
            String entity = "e" + rnd.nextInt(40);
            long eventTime = rnd.nextInt(30) == 0 ? t - 2 * H : t;   // beyond RICH's allowed lateness
            double amount = rnd.nextInt(50) == 0 ? Double.POSITIVE_INFINITY : 1 + rnd.nextDouble(500);
            in.add(event("x" + i, entity, eventTime, amount, countries[rnd.nextInt(countries.length)]));
        }
        return in;
    }

    private record Run(List<FeaturedEvent> out, List<String> rejected, long hits, long misses) {
    }

    private static Run run(long cacheBytes, List<InputEvent> in) throws Exception {
        return run(cacheBytes, in, true);
    }

    private static Run run(long cacheBytes, List<InputEvent> in, boolean rocksDb) throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        try (var h = FeatureExpiryTest.harness(metrics, rocksDb, cacheBytes)) {
            at(h, 0);
            h.open();
            for (InputEvent e : in) {
                h.processElement(new StreamRecord<>(e, e.eventTime));
            }
            var side = h.getSideOutput(FeatureFunction.REJECTED);
            List<String> rejected = side == null ? List.of()
                    : side.stream().map(r -> r.getValue().event.eventId + ":" + r.getValue().reason).toList();
            return new Run(h.extractOutputValues(), rejected, gauge(metrics, "featureStateCacheHits"),
                    gauge(metrics, "featureStateCacheMisses"));
        }
    }

    private static long gauge(InterceptingOperatorMetricGroup metrics, String name) {
        return ((Number) ((Gauge<?>) metrics.get(name)).getValue()).longValue();
    }

    @Test
    void theCacheChangesNoVectorAndNoRejectionWhateverItsSize() throws Exception {
        List<InputEvent> in = stream();
        Run off = run(0, in);
        long oneEntry = 8L * (FeatureFunctionTest.RICH.stateSize() + 1) + FeatureFunction.CACHE_ENTRY_OVERHEAD_BYTES;
        assertEquals(1, FeatureFunction.cacheEntries(FeatureFunctionTest.RICH, oneEntry));
        Run tiny = run(oneEntry, in);  // every other event evicts
        Run full = run(FeatureFunction.DEFAULT_STATE_CACHE_BYTES, in);
        // the heap backend keeps the array it is handed: the cache must not change it behind the backend's back
        Run heapFull = run(FeatureFunction.DEFAULT_STATE_CACHE_BYTES, in, false);
        assertTrue(off.rejected().size() >= 10 && off.rejected().stream().anyMatch(r -> r.endsWith("LATE"))
                && off.rejected().stream().anyMatch(r -> r.endsWith("INVALID")), "the stream has both kinds of rejection: " + off.rejected());
        for (Run r : List.of(tiny, full, heapFull)) {
            assertEquals(off.rejected(), r.rejected());
            assertEquals(off.out().size(), r.out().size());
            for (int i = 0; i < off.out().size(); i++) {
                assertEquals(off.out().get(i).eventId, r.out().get(i).eventId);
                assertArrayEquals(off.out().get(i).features, r.out().get(i).features, "event " + off.out().get(i).eventId);
            }
        }
        assertEquals(0, off.hits() + off.misses(), "off: nothing looked up");
        assertEquals(in.size(), full.hits() + full.misses());
        assertTrue(full.misses() <= 40 + off.rejected().size(), "a miss per entity (again if its first event was rejected): "
                + full.misses());
        assertTrue(tiny.hits() < full.hits() / 2, "one entry rarely holds the next event's entity: " + tiny.hits());
    }

    @Test
    void aRestoredSubtaskReadsKeyedStateAndGoesOnAsIfUninterrupted() throws Exception {
        List<InputEvent> in = stream().stream().filter(e -> Double.isFinite(e.numbers[0])).toList();
        Run uninterrupted = run(0, in);
        int cut = in.size() / 2;
        OperatorSubtaskState snapshot;
        List<FeaturedEvent> out = new ArrayList<>();
        try (var h = harness(FeatureFunction.DEFAULT_STATE_CACHE_BYTES, new InterceptingOperatorMetricGroup())) {
            at(h, 0);
            h.open();
            for (InputEvent e : in.subList(0, cut)) {
                h.processElement(new StreamRecord<>(e, e.eventTime));
            }
            snapshot = h.snapshot(1L, 1L);
            out.addAll(h.extractOutputValues());
        }
        InterceptingOperatorMetricGroup after = new InterceptingOperatorMetricGroup();
        try (var h = harness(FeatureFunction.DEFAULT_STATE_CACHE_BYTES, after)) {
            at(h, 0);
            h.initializeState(snapshot);
            h.open();
            for (InputEvent e : in.subList(cut, in.size())) {
                h.processElement(new StreamRecord<>(e, e.eventTime));
            }
            out.addAll(h.extractOutputValues());
        }
        assertEquals(uninterrupted.out().size(), out.size());
        for (int i = 0; i < out.size(); i++) {
            assertArrayEquals(uninterrupted.out().get(i).features, out.get(i).features, "event " + out.get(i).eventId);
        }
        assertTrue(gauge(after, "featureStateCacheMisses") >= 30, "the restored subtask started with nothing held");
    }

    @Test
    void aHeldStateIdleForTheTtlIsNotUsedEvenBeforeItsTimerFires() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        try (var h = harness(FeatureFunction.DEFAULT_STATE_CACHE_BYTES, metrics)) {
            at(h, 0);
            h.open();
            at(h, 5 * 60_000);
            h.processElement(new StreamRecord<>(event("a1", "a", 0, 10, "GB"), 0));
            at(h, DAY + 10 * 60_000);   // idle for the TTL; its timer is rounded up to DAY + 1 h
            assertEquals(1, h.numProcessingTimeTimers(), "the timer has not fired yet");
            InputEvent back = event("a2", "a", 60_000, 20, "FR");
            h.processElement(new StreamRecord<>(back, back.eventTime));
            List<FeaturedEvent> out = h.extractOutputValues();
            assertArrayEquals(new OfflineFeatures(FeatureFunctionTest.RICH).next(back), out.get(out.size() - 1).features,
                    "computed from a fresh state, as keyed state with its TTL gives");
        }
    }

    @Test
    void theCacheHoldsTheMostRecentlyUsedEntitiesUpToItsCapacity() {
        StateReadCache cache = new StateReadCache(2);
        double[] a = {1};
        double[] b = {2};
        cache.put("a", a);
        cache.put("b", b);
        assertArrayEquals(a, cache.get("a")); // a is now the most recently used
        cache.put("c", new double[]{3});      // evicts b
        assertEquals(null, cache.get("b"));
        assertArrayEquals(a, cache.get("a"));
        assertEquals(2, cache.size());
        cache.forget("a");
        assertEquals(null, cache.get("a"));
        assertEquals(2, cache.hits());
        assertEquals(2, cache.misses());

        StateReadCache off = new StateReadCache(0);
        off.put("a", a);
        assertEquals(null, off.get("a"));
        assertEquals(0, off.size());
        assertThrows(IllegalArgumentException.class, () -> new StateReadCache(-1));
        assertThrows(IllegalArgumentException.class, () -> FeatureFunction.cacheEntries(FeatureFunctionTest.RICH, -1));
    }

    @Test
    void theCacheKeepsItsOwnCopyAndOverwritesItInPlace() {
        StateReadCache cache = new StateReadCache(4);
        double[] written = {1, 2};
        cache.put("a", written);
        double[] held = cache.get("a");
        assertNotSame(written, held, "a copy: the writer's array may be kept by a heap state backend");
        written[0] = 99;
        assertArrayEquals(new double[]{1, 2}, cache.get("a"), "the caller may go on using its array");
        cache.put("a", new double[]{3, 4});
        assertSame(held, cache.get("a"), "the same array, overwritten: no new object under an old entry");
        assertArrayEquals(new double[]{3, 4}, held);
        cache.put("a", new double[]{5, 6, 7}); // a state of another size (e.g. one that gained its last-write slot)
        assertArrayEquals(new double[]{5, 6, 7}, cache.get("a"));
    }
}
