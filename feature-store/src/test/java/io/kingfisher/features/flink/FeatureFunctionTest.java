package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FeatureFunctionTest {
    private static final FeatureSpec SPEC = FeatureSpec.of(
            new FeatureDef.DecayedCount("n", Duration.ofHours(1)),
            new FeatureDef.EwmaRatio("r", "amount", Duration.ofDays(1)),
            new FeatureDef.DiffersFromFirst("abroad", "country"));

    /** RocksDB, as in production; the heap backend where the test counts state entries (RocksDB cannot). */
    private static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, FeaturedEvent> harness(boolean rocksDb) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeatureFunction(SPEC, Duration.ofDays(1))), e -> e.entity, Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static List<InputEvent> events() {
        List<InputEvent> in = new ArrayList<>();
        String[] entities = {"a", "b", "a", "a", "b", "c", "a"};
        String[] countries = {"GB", "FR", "GB", "NG", "FR", "DE", "GB"};
        for (int i = 0; i < entities.length; i++) {
            in.add(new InputEvent("e" + i, entities[i], i * 600_000L, 0, new double[]{10 + 7 * i}, new String[]{countries[i]}));
        }
        return in;
    }

    @Test
    void emitsTheSameVectorsAsTheOfflinePathAndKeepsOneEntryPerEntity() throws Exception {
        OfflineFeatures offline = new OfflineFeatures(SPEC);
        try (var h = harness(false)) {
            h.open();
            for (InputEvent e : events()) {
                h.processElement(new StreamRecord<>(e, e.eventTime));
            }
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
        try (var h = harness(true)) {
            h.open();
            for (InputEvent e : in.subList(0, 4)) {
                h.processElement(new StreamRecord<>(e, e.eventTime));
            }
            snapshot = h.snapshot(1L, 1L);
        }
        OfflineFeatures reference = new OfflineFeatures(SPEC);
        List<float[]> expected = in.stream().map(reference::next).toList();
        try (var h = harness(true)) {
            h.initializeState(snapshot);
            h.open();
            for (InputEvent e : in.subList(4, in.size())) {
                h.processElement(new StreamRecord<>(e, e.eventTime));
            }
            List<FeaturedEvent> out = h.extractOutputValues();
            for (int i = 0; i < out.size(); i++) {
                assertArrayEquals(expected.get(4 + i), out.get(i).features, "event " + (4 + i));
            }
        }
    }
}
