package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Lookup;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.LateEventException;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.RelatedEntity;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The related entity's stage after the primary stage, in test harnesses: the vectors are the offline path's
 * (out-of-order, late and keyless events included) whether the states stay on the heap between checkpoints or are
 * written back all the time; it keeps one state per related entity, written to keyed state before each checkpoint
 * barrier, which expires after the TTL and survives a snapshot on RocksDB; it counts what it could not fold in.
 */
class RelatedFeatureOperatorTest {
    private static final long M = 60_000L;
    private static final long H = 3_600_000L;
    private static final Duration TTL = Duration.ofDays(1);
    private static final Duration H1 = Duration.ofHours(1);
    private static final Duration M5 = Duration.ofMinutes(5);

    static final RelatedEntity MERCHANT = RelatedEntity.of("merchant", "merchant_id",
            new Window("txn_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE),
            Window.of("amt_1h", "amount", H1, M5, Agg.COUNT, Agg.MEAN, Agg.MAX));

    static final FeatureSpec SPEC = FeatureSpec.of(List.of(
            FeatureDef.Numeric.of("amount", Transform.NONE),
            new FeatureDef.DecayedCount("card_n", Duration.ofHours(1)),
            Lookup.of("merchant", "txn_1h"),
            Lookup.of("merchant", "amt_1h[mean]"),
            Lookup.of("merchant", "amt_1h[max]"),
            new FeatureDef.Ratio("amount_vs_merchant", "amount", "merchant.amt_1h[mean]")), List.of(MERCHANT));

    static InputEvent ev(String id, String card, String merchant, long t, double amount) {
        return new InputEvent(id, card, t, t, new double[]{amount}, new String[]{merchant});
    }

    /** The primary stage, the merchant stage and the step that fills the lookups, one event at a time. */
    private static final class Stages implements AutoCloseable {
        final KeyedOneInputStreamOperatorTestHarness<String, InputEvent, StagedEvent> primary;
        final KeyedOneInputStreamOperatorTestHarness<String, StagedEvent, StagedEvent> merchant;
        final FinishFeatures finish = new FinishFeatures(SPEC);
        final List<FeaturedEvent> out = new ArrayList<>();
        /** Take a checkpoint (write back) after every event. */
        boolean checkpointEach;
        private long checkpoint;
        private int primarySeen;
        private int merchantSeen;

        Stages(boolean rocksDb, MockEnvironment env, OperatorSubtaskState restore, int cacheEntries) throws Exception {
            primary = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new PrimaryStageFunction(SPEC, TTL)),
                    (InputEvent e) -> e.entity, Types.STRING);
            RelatedFeatureOperator op = new RelatedFeatureOperator(SPEC, 0, TTL, cacheEntries);
            merchant = env == null
                    ? new KeyedOneInputStreamOperatorTestHarness<>(op, RelatedFeatureOperator.keySelector(SPEC, 0), Types.STRING)
                    : new KeyedOneInputStreamOperatorTestHarness<>(op, RelatedFeatureOperator.keySelector(SPEC, 0), Types.STRING, env);
            if (rocksDb) {
                primary.setStateBackend(new EmbeddedRocksDBStateBackend());
                merchant.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            primary.open();
            if (restore != null) {
                merchant.initializeState(restore);
            }
            merchant.open();
            finish.open(null);
        }

        Stages(boolean rocksDb, MockEnvironment env, OperatorSubtaskState restore) throws Exception {
            this(rocksDb, env, restore, RelatedFeatureOperator.DEFAULT_CACHE_ENTRIES);
        }

        void feed(List<InputEvent> events) throws Exception {
            for (InputEvent e : events) {
                primary.processElement(new StreamRecord<>(e, e.eventTime));
                List<StagedEvent> staged = primary.extractOutputValues();
                for (; primarySeen < staged.size(); primarySeen++) {
                    StagedEvent f = staged.get(primarySeen);
                    merchant.processElement(new StreamRecord<>(f, f.eventTime));
                }
                List<StagedEvent> related = merchant.extractOutputValues();
                for (; merchantSeen < related.size(); merchantSeen++) {
                    out.add(finish.map(related.get(merchantSeen)));
                }
                if (checkpointEach) {
                    checkpoint();
                }
            }
        }

        /** What a checkpoint does before its barrier passes: the changed states go to keyed state. */
        void checkpoint() throws Exception {
            merchant.prepareSnapshotPreBarrier(++checkpoint);
        }

        @Override
        public void close() throws Exception {
            primary.close();
            merchant.close();
        }
    }

    /** 600 payments of 20 cards at 4 merchants (and now and then none), 20 s apart, delivered up to 40 minutes late. */
    static List<InputEvent> shuffled() {
        SplittableRandom rnd = new SplittableRandom(11);
        List<InputEvent> events = new ArrayList<>();
        List<Long> arrival = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            long t = 1_767_225_600_000L + i * 20_000L;
            String merchant = rnd.nextInt(50) == 0 ? null : "m" + rnd.nextInt(4);
            events.add(ev("e" + i, "card-" + rnd.nextInt(20), merchant, t, Math.round(rnd.nextDouble() * 30_000) / 100.0));
            arrival.add(t + (rnd.nextInt(4) == 0 ? rnd.nextLong(40 * M) : 0));
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            idx.add(i);
        }
        idx.sort(java.util.Comparator.comparingLong(arrival::get));
        return idx.stream().map(events::get).toList();
    }

    @ParameterizedTest(name = "states held: {0}")
    @ValueSource(ints = {RelatedFeatureOperator.DEFAULT_CACHE_ENTRIES, 1, 3})
    void vectorsAreTheOfflinePathsForOutOfOrderEventsOnRocksDb(int cacheEntries) throws Exception {
        List<InputEvent> in = shuffled();
        OfflineFeatures offline = new OfflineFeatures(SPEC);
        List<float[]> expected = new ArrayList<>();
        for (InputEvent e : in) {
            try {
                expected.add(offline.next(e));
            } catch (LateEventException late) {
                throw new AssertionError("within the card's lateness", late);
            }
        }
        try (Stages s = new Stages(true, null, null, cacheEntries)) {
            s.feed(in.subList(0, 200));
            s.checkpoint();
            s.feed(in.subList(200, in.size()));
            assertEquals(in.size(), s.out.size());
            int withMerchant = 0;
            for (int i = 0; i < in.size(); i++) {
                FeaturedEvent f = s.out.get(i);
                assertEquals(in.get(i).eventId, f.eventId);
                assertArrayEquals(expected.get(i), f.features, "vector of " + f.eventId);
                withMerchant += f.features[2] > 0 ? 1 : 0;
            }
            assertTrue(withMerchant > 500, "merchants had history: " + withMerchant);
        }
    }

    @Test
    void aRelatedEntitysStateSurvivesASnapshotAndRestore() throws Exception {
        List<InputEvent> in = shuffled();
        OfflineFeatures offline = new OfflineFeatures(SPEC);
        List<float[]> expected = in.stream().map(offline::next).toList();
        OperatorSubtaskState snapshot;
        KeyedOneInputStreamOperatorTestHarness<String, InputEvent, StagedEvent> primaryAfter;
        OperatorSubtaskState primarySnapshot;
        try (Stages s = new Stages(true, null, null)) {
            s.feed(in.subList(0, 300));
            s.checkpoint();
            snapshot = s.merchant.snapshot(1L, 1L);
            primarySnapshot = s.primary.snapshot(1L, 1L);
        }
        // the merchant stage restored; the primary stage too, so its vectors go on as before
        try (Stages s = new Stages(true, null, snapshot)) {
            s.primary.close();
            primaryAfter = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new PrimaryStageFunction(SPEC, TTL)),
                    (InputEvent e) -> e.entity, Types.STRING);
            primaryAfter.setStateBackend(new EmbeddedRocksDBStateBackend());
            primaryAfter.initializeState(primarySnapshot);
            primaryAfter.open();
            try (primaryAfter) {
                for (InputEvent e : in.subList(300, in.size())) {
                    primaryAfter.processElement(new StreamRecord<>(e, e.eventTime));
                }
                for (StagedEvent f : primaryAfter.extractOutputValues()) {
                    s.merchant.processElement(new StreamRecord<>(f, f.eventTime));
                }
                List<StagedEvent> out = s.merchant.extractOutputValues();
                assertEquals(300, out.size());
                for (int i = 0; i < out.size(); i++) {
                    assertArrayEquals(expected.get(300 + i), s.finish.map(out.get(i)).features, "vector of " + out.get(i).eventId);
                }
            }
        }
    }

    @Test
    void eventsWithoutTheKeyOrTooLateForTheEntityAreScoredWithZerosAndCounted() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        MockEnvironment env = MetricsEnvironment.of("features-merchant", metrics);
        try (Stages s = new Stages(false, env, null)) {
            s.feed(List.of(
                    ev("a1", "a", "m1", 0, 10),
                    ev("b1", "b", "m1", 70 * M, 20),
                    ev("nokey", "c", null, 71 * M, 5),
                    ev("late", "d", "m1", 4 * M, 9),         // 66 minutes behind m1's latest: too late for m1
                    ev("reader", "e", "m1", 10 * M, 3)));    // exactly the lateness: reads bucket 0, a1 alone
            assertEquals(List.of("a1", "b1", "nokey", "late", "reader"), s.out.stream().map(f -> f.eventId).toList(),
                    "everything the primary stage accepted comes out");
            assertArrayEquals(new float[]{5, 0, 0, 0, 0, 0}, s.out.get(2).features);
            assertArrayEquals(new float[]{9, 0, 0, 0, 0, 0}, s.out.get(3).features);
            assertArrayEquals(new float[]{3, 0, 1, 10, 10, 0.3f}, s.out.get(4).features);
            assertEquals(0, s.merchant.numKeyedStateEntries(), "held on the heap until a checkpoint");
            s.checkpoint();
            assertEquals(1L, ((Counter) metrics.get("featureRelatedMissingKey")).getCount());
            assertEquals(1L, ((Counter) metrics.get("featureRelatedLate")).getCount());
            assertEquals(1L, ((Counter) metrics.get("featureRelatedNewEntities")).getCount());
            assertEquals(1, s.merchant.numKeyedStateEntries(), "m1 only: no state for the missing key");
        }
    }

    @Test
    void stagedEventsSurviveTheirSerializerAndCopiesAreIndependent() throws Exception {
        StagedEvent e = new StagedEvent(ev("e1", "card-1", null, 5, 12.5), new float[]{1, 2, 3}, SPEC);
        e.partition = 3;
        e.offset = 99;
        e.related[1] = 7f;
        org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(64);
        StagedEventSerializer.INSTANCE.serialize(e, out);
        StagedEvent back = StagedEventSerializer.INSTANCE.deserialize(new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));
        assertEquals(e.toString(), back.toString());
        assertEquals(List.of(e.eventId, e.entity, e.eventTime, e.ingestTime, e.partition, e.offset),
                List.of(back.eventId, back.entity, back.eventTime, back.ingestTime, back.partition, back.offset));
        assertArrayEquals(e.features, back.features);
        assertArrayEquals(e.numbers, back.numbers);
        assertArrayEquals(e.texts, back.texts, "a null text survives");
        assertArrayEquals(e.related, back.related);
        StagedEvent copy = StagedEventSerializer.INSTANCE.copy(e);
        copy.related[1] = 0f;
        copy.features[0] = 0f;
        assertEquals(7f, e.related[1]);
        assertEquals(1f, e.features[0]);
    }

    @Test
    void idleRelatedEntitiesExpireAfterTheTtlAndComeBackFresh() throws Exception {
        try (Stages s = new Stages(false, null, null)) { // heap: RocksDB cannot count its entries
            s.checkpointEach = true; // so that each event's state is written when the TTL clock says
            s.merchant.setStateTtlProcessingTime(0);
            s.feed(List.of(ev("a1", "a", "m1", 0, 10), ev("b1", "b", "m2", 0, 10)));
            assertEquals(2, s.merchant.numKeyedStateEntries());

            s.merchant.setStateTtlProcessingTime(TTL.toMillis() - 1);
            s.feed(List.of(ev("a2", "a", "m1", M, 20)));                     // m1 written again: its clock restarts
            assertEquals(2, s.merchant.numKeyedStateEntries(), "nothing expired before the TTL");

            s.merchant.setStateTtlProcessingTime(TTL.toMillis() + 1);
            s.feed(List.of(ev("c1", "c", "m3", 2 * M, 5)));
            for (int i = 0; i < 10 && s.merchant.numKeyedStateEntries() != 2; i++) {
                s.feed(List.of(ev("touch" + i, "t" + i, "m3", 3 * M + i, 1)));
            }
            assertEquals(2, s.merchant.numKeyedStateEntries(), "m2 (idle for the TTL) is gone");
            s.feed(List.of(ev("a3", "a", "m1", 6 * M, 30)));
            FeaturedEvent a3 = s.out.get(s.out.size() - 1);
            assertEquals(2f, a3.features[2], "m1, written within the TTL, kept bucket 0 (a1, a2)");
            s.feed(List.of(ev("b2", "b", "m2", 7 * M, 7)));
            FeaturedEvent b2 = s.out.get(s.out.size() - 1);
            assertEquals(0f, b2.features[2], "m2 is back after the TTL from a fresh state: b1 is forgotten");
        }
    }
}
