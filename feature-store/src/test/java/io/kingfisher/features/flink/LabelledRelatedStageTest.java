package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Lookup;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.RelatedEntity;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A related stage with label features, in test harnesses on RocksDB: payments and the fraud labels filed against
 * their merchants arrive interleaved on its two inputs, and every vector is the offline path's for the same order,
 * across a snapshot and restore of both stages halfway.
 */
class LabelledRelatedStageTest {
    private static final long M = 60_000L;
    private static final Duration TTL = Duration.ofDays(1);
    private static final Duration H1 = Duration.ofHours(1);
    private static final Duration M5 = Duration.ofMinutes(5);

    static final FeatureSpec SPEC = FeatureSpec.of(List.of(
            FeatureDef.Numeric.of("amount", Transform.NONE),
            Lookup.of("merchant", "txn_1h"),
            Lookup.of("merchant", "frauds_1h"),
            Lookup.of("merchant", "labels_1h"),
            new FeatureDef.Ratio("merchant_fraud_rate", "merchant.frauds_1h", "merchant.txn_1h")),
            List.of(RelatedEntity.of("merchant", "merchant_id", new Window("txn_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE))
                    .withLabels("merchant_id",
                            Window.of("frauds_1h", RelatedEntity.LABEL_FIELD, H1, M5, Agg.SUM),
                            new Window("labels_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE))));

    /** A payment or a label, in the order both topics deliver them. */
    private record Arrival(InputEvent event, InputEvent label) {
    }

    /** 800 payments of 30 cards at 5 merchants, 15 s apart; a quarter get a label 2 to 40 minutes later. */
    private static List<Arrival> arrivals() {
        SplittableRandom rnd = new SplittableRandom(5);
        long t0 = 1_767_225_600_000L;
        List<long[]> pending = new ArrayList<>(); // label time, merchant, positive
        List<Arrival> out = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            long t = t0 + i * 15_000L;
            pending.sort(java.util.Comparator.comparingLong(p -> p[0]));
            while (!pending.isEmpty() && pending.get(0)[0] <= t) {
                long[] p = pending.remove(0);
                String merchant = p[1] < 0 ? null : "m" + p[1];
                out.add(new Arrival(null, new InputEvent("l" + out.size(), "", p[0], p[0], new double[]{p[2]}, new String[]{merchant})));
            }
            int merchant = rnd.nextInt(5);
            out.add(new Arrival(new InputEvent("e" + i, "card-" + rnd.nextInt(30), t, t,
                    new double[]{rnd.nextInt(500)}, new String[]{"m" + merchant}), null));
            if (rnd.nextInt(4) == 0) {
                boolean positive = rnd.nextInt(merchant + 1) == 0; // m0 is the riskiest
                pending.add(new long[]{t + (2 + rnd.nextInt(38)) * M, rnd.nextInt(40) == 0 ? -1 : merchant, positive ? 1 : 0});
            }
        }
        return out;
    }

    private static final class Stages implements AutoCloseable {
        final KeyedOneInputStreamOperatorTestHarness<String, InputEvent, StagedEvent> primary;
        final KeyedTwoInputStreamOperatorTestHarness<String, StagedEvent, InputEvent, StagedEvent> merchant;
        final FinishFeatures finish = new FinishFeatures(SPEC);
        private int primarySeen;
        private int merchantSeen;

        Stages(OperatorSubtaskState primaryState, OperatorSubtaskState merchantState) throws Exception {
            primary = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new PrimaryStageFunction(SPEC, TTL)),
                    (InputEvent e) -> e.entity, Types.STRING);
            merchant = new KeyedTwoInputStreamOperatorTestHarness<>(new RelatedFeatureOperator(SPEC, 0, TTL),
                    RelatedFeatureOperator.keySelector(SPEC, 0), RelatedFeatureOperator.labelKeySelector(SPEC, 0), Types.STRING);
            primary.setStateBackend(new EmbeddedRocksDBStateBackend());
            merchant.setStateBackend(new EmbeddedRocksDBStateBackend());
            if (primaryState != null) {
                primary.initializeState(primaryState);
                merchant.initializeState(merchantState);
            }
            primary.open();
            merchant.open();
            finish.open(null);
        }

        List<float[]> feed(List<Arrival> arrivals) throws Exception {
            List<float[]> out = new ArrayList<>();
            for (Arrival a : arrivals) {
                if (a.label != null) {
                    merchant.processElement2(new StreamRecord<>(a.label, a.label.eventTime));
                    continue;
                }
                primary.processElement(new StreamRecord<>(a.event, a.event.eventTime));
                List<StagedEvent> staged = primary.extractOutputValues();
                for (; primarySeen < staged.size(); primarySeen++) {
                    merchant.processElement1(new StreamRecord<>(staged.get(primarySeen), a.event.eventTime));
                }
                List<StagedEvent> related = merchant.extractOutputValues();
                for (; merchantSeen < related.size(); merchantSeen++) {
                    out.add(finish.map(related.get(merchantSeen)).features);
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            primary.close();
            merchant.close();
        }
    }

    @Test
    void vectorsAreTheOfflinePathsAcrossASnapshotAndRestore() throws Exception {
        List<Arrival> arrivals = arrivals();
        OfflineFeatures offline = new OfflineFeatures(SPEC);
        List<float[]> expected = new ArrayList<>();
        for (Arrival a : arrivals) {
            if (a.label != null) {
                offline.label(a.label);
            } else {
                expected.add(offline.next(a.event));
            }
        }
        int half = arrivals.size() / 2;
        List<float[]> got = new ArrayList<>();
        OperatorSubtaskState primaryState;
        OperatorSubtaskState merchantState;
        try (Stages s = new Stages(null, null)) {
            got.addAll(s.feed(arrivals.subList(0, half)));
            s.merchant.prepareSnapshotPreBarrier(1L);
            primaryState = s.primary.snapshot(1L, 1L);
            merchantState = s.merchant.snapshot(1L, 1L);
        }
        try (Stages s = new Stages(primaryState, merchantState)) {
            got.addAll(s.feed(arrivals.subList(half, arrivals.size())));
        }
        assertEquals(expected.size(), got.size());
        int withFrauds = 0;
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), "vector " + i);
            withFrauds += got.get(i)[2] > 0 ? 1 : 0;
        }
        assertTrue(withFrauds > 200, "merchants had frauds in their hour: " + withFrauds);
    }
}
