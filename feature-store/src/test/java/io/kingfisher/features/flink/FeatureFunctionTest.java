package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureEngine;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.LateEventException;
import io.kingfisher.features.OfflineFeatures;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureFunctionTest {
    private static final long M = 60_000L;
    private static final long H = 3_600_000L;
    private static final Duration TTL = Duration.ofDays(1);
    private static final FeatureSpec SPEC = FeatureSpec.of(
            new FeatureDef.DecayedCount("n", Duration.ofHours(1)),
            new FeatureDef.EwmaRatio("r", "amount", Duration.ofDays(1)),
            new FeatureDef.DiffersFromFirst("abroad", "country"));

    /** Every kind at once, for the parity and TTL tests. */
    static final FeatureSpec RICH = FeatureSpec.of(
            FeatureDef.Numeric.of("amount", FeatureDef.Transform.LOG1P),
            new FeatureDef.DecayedCount("n_1h", Duration.ofHours(1)),
            new FeatureDef.EwmaRatio("amount_vs_avg", "amount", Duration.ofDays(7)),
            new FeatureDef.Ewma("avg", "amount", Duration.ofDays(1), FeatureDef.Transform.NONE),
            new FeatureDef.TimeSinceLast("since_last", Duration.ofDays(1)),
            new FeatureDef.DiffersFromFirst("abroad", "country"),
            new FeatureDef.OneHot("country", "country", List.of("GB", "FR")),
            new FeatureDef.HourOfDay("hour"),
            FeatureDef.Window.of("amt_1h", "amount", Duration.ofHours(1), Duration.ofMinutes(5), Agg.COUNT, Agg.SUM, Agg.MEAN, Agg.MIN, Agg.MAX, Agg.STD),
            FeatureDef.Window.count("n_1d", Duration.ofDays(1), Duration.ofHours(1)),
            FeatureDef.DistinctCount.lifetime("countries", "country"),
            FeatureDef.DistinctCount.windowed("countries_6h", "country", Duration.ofHours(6), Duration.ofHours(1)),
            FeatureDef.LastN.of("last", "amount", 3),
            new FeatureDef.Ratio("mean_vs_avg", "amt_1h[mean]", "avg"),
            new FeatureDef.Difference("hour_vs_day", "n_1h", "n_1d"));

    private static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> harness(FeatureSpec spec, boolean rocksDb)
            throws Exception {
        return harness(spec, rocksDb, FeatureFunction.DEFAULT_STATE_CACHE_BYTES);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> harness(FeatureSpec spec, boolean rocksDb,
                                                                                                      long cacheBytes) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeatureFunction(spec, TTL, cacheBytes)), (InputEvent e) -> e.entity, Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static InputEvent event(String id, String entity, long t, double amount, String country) {
        return new InputEvent(id, entity, t, t, new double[]{amount}, new String[]{country});
    }

    private static List<InputEvent> events() {
        List<InputEvent> in = new ArrayList<>();
        String[] entities = {"a", "b", "a", "a", "b", "c", "a"};
        String[] countries = {"GB", "FR", "GB", "NG", "FR", "DE", "GB"};
        for (int i = 0; i < entities.length; i++) {
            in.add(event("e" + i, entities[i], i * 600_000L, 10 + 7 * i, countries[i]));
        }
        return in;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> h, List<InputEvent> in)
            throws Exception {
        for (InputEvent e : in) {
            h.processElement(new StreamRecord<>(e, e.eventTime));
        }
    }

    @Test
    void emitsTheSameVectorsAsTheOfflinePathAndKeepsOneEntryPerEntity() throws Exception {
        OfflineFeatures offline = new OfflineFeatures(SPEC);
        try (var h = harness(SPEC, false)) {
            h.open();
            feed(h, events());
            List<FeaturedEvent> out = h.extractOutputValues();
            assertEquals(events().size(), out.size());
            for (int i = 0; i < out.size(); i++) {
                assertArrayEquals(offline.next(events().get(i)), out.get(i).features, "event " + i);
                assertEquals("e" + i, out.get(i).eventId);
            }
            assertEquals(3, h.numKeyedStateEntries());
        }
    }

    @Test
    void stateSurvivesASnapshotAndRestoreOnRocksDb() throws Exception {
        List<InputEvent> in = events();
        OperatorSubtaskState snapshot;
        try (var h = harness(SPEC, true)) {
            h.open();
            feed(h, in.subList(0, 4));
            snapshot = h.snapshot(1L, 1L);
        }
        OfflineFeatures reference = new OfflineFeatures(SPEC);
        List<float[]> expected = in.stream().map(reference::next).toList();
        try (var h = harness(SPEC, true)) {
            h.initializeState(snapshot);
            h.open();
            feed(h, in.subList(4, in.size()));
            List<FeaturedEvent> out = h.extractOutputValues();
            for (int i = 0; i < out.size(); i++) {
                assertArrayEquals(expected.get(4 + i), out.get(i).features, "event " + (4 + i));
            }
        }
    }

    @Test
    void stateWrittenByThePreviousReleaseIsMigratedOnRestore() throws Exception {
        // the previous release stored the same slots without the latest-time slot, with Flink's plain double[] serializer
        List<InputEvent> in = events();
        OperatorSubtaskState snapshot;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new PreviousRelease(SPEC)), (InputEvent e) -> e.entity, Types.STRING)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            feed(h, in.subList(0, 4));
            snapshot = h.snapshot(1L, 1L);
        }
        OfflineFeatures reference = new OfflineFeatures(SPEC);
        List<float[]> expected = in.stream().map(reference::next).toList();
        try (var h = harness(SPEC, true)) {
            h.initializeState(snapshot);
            h.open();
            feed(h, in.subList(4, in.size()));
            List<FeaturedEvent> out = h.extractOutputValues();
            assertEquals(3, out.size());
            for (int i = 0; i < out.size(); i++) {
                assertArrayEquals(expected.get(4 + i), out.get(i).features, "event " + (4 + i));
            }
            assertEquals(3, h.numProcessingTimeTimers(), "restored without expiry timers, each entity gets one at its next write");
        }
    }

    /** The feature operator as the previous release kept its state: one slot shorter, plain {@code double[]} serializer. */
    private static final class PreviousRelease extends KeyedProcessFunction<String, InputEvent, FeaturedEvent> {
        private final FeatureSpec spec;
        private transient FeatureEngine engine;
        private transient ValueState<double[]> state;

        PreviousRelease(FeatureSpec spec) {
            this.spec = spec;
        }

        @Override
        public void open(OpenContext ctx) {
            engine = new FeatureEngine(spec);
            ValueStateDescriptor<double[]> desc = new ValueStateDescriptor<>(FeatureFunction.stateName(spec),
                    PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
            desc.enableTimeToLive(StateTtlConfig.newBuilder(TTL).setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired).build());
            state = getRuntimeContext().getState(desc);
        }

        @Override
        public void processElement(InputEvent e, Context ctx, Collector<FeaturedEvent> out) throws Exception {
            double[] s = state.value() == null ? engine.newState() : engine.adopt(state.value());
            float[] features = engine.computeAndUpdate(s, e);
            state.update(Arrays.copyOf(s, s.length - 1));
            out.collect(new FeaturedEvent(e, features));
        }
    }

    @Test
    void lateAndInvalidEventsGoToTheSideOutputAreCountedAndChangeNothing() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        MockEnvironment env = MetricsEnvironment.of("features", metrics);
        FeatureSpec spec = RICH.withAllowedLateness(Duration.ofMinutes(30));
        List<InputEvent> accepted = List.of(
                event("a1", "a", 0, 10, "GB"),
                event("a2", "a", 2 * H, 20, "FR"),
                event("a3", "a", 2 * H - 30 * M, 5, "GB"),       // exactly the allowed lateness: folded in
                event("a4", "a", 3 * H, 30, "GB"));
        InputEvent late = event("late", "a", H, 1000, "NG");   // 1h behind 2h
        InputEvent infinite = event("inf", "a", 2 * H, Double.POSITIVE_INFINITY, "GB");
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeatureFunction(spec, TTL)), (InputEvent e) -> e.entity, Types.STRING, env)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            feed(h, List.of(accepted.get(0), accepted.get(1), late, accepted.get(2), infinite, accepted.get(3)));

            List<FeaturedEvent> out = h.extractOutputValues();
            assertEquals(List.of("a1", "a2", "a3", "a4"), out.stream().map(f -> f.eventId).toList());
            OfflineFeatures withoutRejected = new OfflineFeatures(spec);
            for (int i = 0; i < accepted.size(); i++) {
                assertArrayEquals(withoutRejected.next(accepted.get(i)), out.get(i).features, "vector of " + accepted.get(i).eventId);
            }

            List<RejectedEvent> rejected = h.getSideOutput(FeatureFunction.REJECTED).stream().map(StreamRecord::getValue).toList();
            assertEquals(2, rejected.size());
            RejectedEvent r = rejected.get(0);
            assertEquals("late", r.event.eventId);
            assertEquals(RejectedEvent.Reason.LATE, r.reason);
            assertEquals(H, r.lateByMs);
            assertTrue(r.message.contains("'a'") && r.message.contains("PT1H") && r.message.contains("PT30M"), r.message);
            assertEquals(RejectedEvent.Reason.INVALID, rejected.get(1).reason);
            assertEquals("inf", rejected.get(1).event.eventId);
            assertTrue(rejected.get(1).message.contains("amount"), rejected.get(1).message);

            assertEquals(1L, ((Counter) metrics.get("featureLateEvents")).getCount());
            assertEquals(1L, ((Counter) metrics.get("featureInvalidEvents")).getCount());
            assertEquals(1L, ((Counter) metrics.get("featureNewEntities")).getCount());
        }
    }

    @Test
    void idleEntitiesExpireAfterTheTtlAndComeBackFresh() throws Exception {
        // Flink's state TTL on its own (the backstop for state written before the expiry timers existed): this harness
        // moves the TTL's clock and not the timers' one, which a running job cannot do, so the read cache (which
        // reads the timers' clock) is off here; FeatureStateCacheTest covers it with one clock
        try (var h = harness(RICH, false, 0)) { // heap: RocksDB cannot count its entries
            h.setStateTtlProcessingTime(0);
            h.open();
            feed(h, List.of(event("a1", "a", 0, 10, "GB"), event("b1", "b", 0, 10, "GB")));
            assertEquals(2, h.numKeyedStateEntries());

            h.setStateTtlProcessingTime(TTL.toMillis() - 1);
            feed(h, List.of(event("a2", "a", M, 20, "GB")));           // a written again: its clock restarts
            assertEquals(2, h.numKeyedStateEntries(), "nothing expired before the TTL");

            h.setStateTtlProcessingTime(TTL.toMillis() + 1);
            feed(h, List.of(event("c1", "c", 2 * M, 5, "FR")));
            touchUntil(h, "c", 2);
            assertEquals(2, h.numKeyedStateEntries(), "b (idle for the TTL) is gone");
            feed(h, List.of(event("a3", "a", 10 * M, 30, "GB")));
            OfflineFeatures aHistory = new OfflineFeatures(RICH);
            aHistory.next(event("a1", "a", 0, 10, "GB"));
            aHistory.next(event("a2", "a", M, 20, "GB"));
            List<FeaturedEvent> sofar = h.extractOutputValues();
            assertArrayEquals(aHistory.next(event("a3", "a", 10 * M, 30, "GB")), sofar.get(sofar.size() - 1).features,
                    "a, written within the TTL, kept its state");

            h.setStateTtlProcessingTime(3 * TTL.toMillis());
            feed(h, List.of(event("b2", "b", 3 * M, 7, "GB")));
            List<FeaturedEvent> out = h.extractOutputValues();
            assertArrayEquals(new OfflineFeatures(RICH).next(event("b2", "b", 3 * M, 7, "GB")), out.get(out.size() - 1).features,
                    "an entity back after the TTL is computed from a fresh state");
            touchUntil(h, "b", 1);
            assertEquals(1, h.numKeyedStateEntries(), "a and c expired too; only b is left");
        }
    }

    /**
     * Sends events for {@code entity} until the state holds {@code entries} entries, at most ten: the heap
     * backend drops expired entries incrementally, visiting up to ten entries per state access.
     */
    private static void touchUntil(KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> h, String entity,
                                   int entries) throws Exception {
        for (int i = 0; i < 10 && h.numKeyedStateEntries() != entries; i++) {
            feed(h, List.of(event(entity + "-touch" + i, entity, 4 * M + i, 1, "GB")));
        }
    }

    @Test
    void streamAndOfflineAgreeOnAShuffledWithinLatenessSequence() throws Exception {
        List<InputEvent> order = shuffledWithinLateness(900, 25, 7);
        int outOfOrder = 0;
        Map<String, Long> latest = new java.util.HashMap<>();
        for (InputEvent e : order) {
            Long l = latest.get(e.entity);
            if (l != null && e.eventTime < l) {
                outOfOrder++;
            }
            latest.merge(e.entity, e.eventTime, Math::max);
        }
        assertTrue(outOfOrder > 100, "the sequence is really shuffled: " + outOfOrder);

        OfflineFeatures offline = new OfflineFeatures(RICH);
        List<float[]> expected = new ArrayList<>();
        Set<String> offlineRejected = new HashSet<>();
        for (InputEvent e : order) {
            try {
                expected.add(offline.next(e));
            } catch (LateEventException | InvalidInputException rejected) {
                offlineRejected.add(e.eventId);
            }
        }
        try (var h = harness(RICH, true)) {
            h.open();
            feed(h, order);
            List<FeaturedEvent> out = h.extractOutputValues();
            assertEquals(expected.size(), out.size());
            for (int i = 0; i < out.size(); i++) {
                assertArrayEquals(expected.get(i), out.get(i).features, "vector " + i + " (" + out.get(i).eventId + ")");
            }
            Set<String> streamRejected = new HashSet<>();
            h.getSideOutput(FeatureFunction.REJECTED).forEach(r -> streamRejected.add(r.getValue().event.eventId));
            assertEquals(offlineRejected, streamRejected);
            assertEquals(10, streamRejected.size());
            assertTrue(streamRejected.stream().allMatch(id -> id.startsWith("late")), streamRejected.toString());
        }
    }

    /**
     * {@code n} events 20 s apart over {@code entities} cards, delivered in order of event time plus up to 45
     * minutes of random delay (within the default hour of lateness), with ten events three hours late mixed in.
     */
    static List<InputEvent> shuffledWithinLateness(int n, int entities, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String[] countries = {"FR", "NG", "DE", "US"};
        List<InputEvent> events = new ArrayList<>();
        List<Long> arrival = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = 1_767_225_600_000L + i * 20_000L;
            String country = rnd.nextDouble() < 0.8 ? "GB" : countries[rnd.nextInt(countries.length)];
            events.add(event("e" + i, "card-" + rnd.nextInt(entities), t, Math.round(rnd.nextDouble() * 50_000) / 100.0, country));
            arrival.add(t + rnd.nextLong(45 * M));
        }
        for (int i = 0; i < 10; i++) {
            InputEvent victim = events.get(n / 3 + i * (n / 20));
            events.add(event("late" + i, victim.entity, victim.eventTime - 3 * H, 1, "GB"));
            arrival.add(arrival.get(n / 3 + i * (n / 20)) + 1); // right after the event it is three hours behind
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            idx.add(i);
        }
        idx.sort(Comparator.comparingLong(arrival::get));
        return idx.stream().map(events::get).toList();
    }
}
