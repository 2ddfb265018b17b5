package io.kingfisher.trainer.flink;

import io.kingfisher.schemas.core.LearningEvent;
import io.kingfisher.schemas.core.LearningEventKind;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.snapshot.PayloadFormat;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import io.kingfisher.trainer.GoldenSet;
import io.kingfisher.trainer.OfflineTrainer;
import io.kingfisher.trainer.TrainResult;
import io.kingfisher.trainer.TrainerConfig;
import io.kingfisher.trainer.VersionBlocks;
import io.kingfisher.trainer.online.Example;
import io.kingfisher.trainer.online.LearnerSettings;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer operator under Flink's harness: it starts from the warm start it reads on the snapshot input, publishes
 * signed snapshots whose payloads verify, reports its decisions, ignores its own snapshots coming back, and after a
 * restore from a checkpoint continues from the same state (the examples after the checkpoint are trained on once).
 */
class TrainerFunctionTest {
    private static final byte[] KEY = "a-test-key-of-32-bytes-length!!!".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC = "spec-hash-1";
    private static final int FEATURES = 5;
    private static float[][] x;
    private static float[] y;
    private static TrainResult warm;

    @BeforeAll
    static void warmStart() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 6000;
        x = new float[n][FEATURES];
        y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            double logit = -1.5 + 2 * x[i][0] - x[i][1];
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
        }
        warm = new OfflineTrainer().train(x, y,
                new TrainerConfig(List.of(8), 5e-3, 1e-5, 128, 4, OptionalDouble.of(1.0), 7L, 0.2));
    }

    private static ModelSnapshot publishWarmStart(FileSystemModelStore store) throws Exception {
        byte[] payload = new ModelCodec().encode(warm.network());
        URI uri = store.put("fraud", 1, payload);
        store.putAttachment("fraud", "golden-v1.bin", GoldenSet.of(x, y, warm.validationRows()).encode());
        return Snapshots.builder("fraud", 1).createdAt(1L).featureSpecHash(SPEC)
                .architecture(Architectures.describe(warm.network()))
                .trainerConfig(Map.of(TrainerConfig.LEARNING_RATE, "0.005", TrainerFunction.GOLDEN_SET, "golden-v1.bin"))
                .metrics(Map.of()).payload(uri, payload).build(KEY);
    }

    private static LearnerSettings settings() {
        LearnerSettings d = LearnerSettings.defaults();
        return new LearnerSettings(32, 500, 500, 3_600_000, 100, 2, 1.0, 3.0, 500, 0.02, 0.02, 0.05, 200, 5, 300, 0.1,
                d.driftConfidence(), 500, 0.25, 0, LearnerSettings.DriftAction.NONE, 3.0, 1000, 0.5, 7L, java.util.List.of());
    }

    private static KeyedTwoInputStreamOperatorTestHarness<Integer, Example, ModelSnapshot, ModelSnapshot> harness(
            String storeRoot) throws Exception {
        return harness(storeRoot, PayloadFormat.FLOAT);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<Integer, Example, ModelSnapshot, ModelSnapshot> harness(
            String storeRoot, PayloadFormat format) throws Exception {
        TrainerFunction f = new TrainerFunction("fraud", SPEC, storeRoot, KEY, settings(), format);
        return new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(f), e -> 0, s -> 0, Types.INT);
    }

    private static List<Example> stream(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                f[j] = (float) r.nextGaussian();
            }
            double logit = -1.5 + 2 * f[0] - f[1];
            float label = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
            out.add(new Example(f, label, 0.2, 1, 1000L + i, 5000L + i, "label", 0, i));
        }
        return out;
    }

    @Test
    void publishesVerifiedSnapshotsAndResumesFromACheckpoint(@TempDir Path dir) throws Exception {
        String root = dir.toUri().toString();
        FileSystemModelStore store = new FileSystemModelStore(root);
        ModelSnapshot v1 = publishWarmStart(store);
        List<Example> examples = stream(3000, 9);

        OperatorSubtaskState checkpoint;
        List<Long> versionsAfterCheckpoint = new ArrayList<>();
        try (var h = harness(root)) {
            h.open();
            h.processElement1(new StreamRecord<>(examples.get(0), 0L)); // before any model: held, not lost
            h.processElement2(new StreamRecord<>(v1, 0L));
            for (int i = 1; i < 1600; i++) {
                h.processElement1(new StreamRecord<>(examples.get(i), 0L));
            }
            List<ModelSnapshot> published = h.extractOutputValues();
            assertFalse(published.isEmpty(), "the trainer published candidates");
            ModelSnapshot first = published.get(0);
            assertEquals(2, first.getVersion());
            assertEquals(1L, first.getParentVersion());
            assertEquals("golden-v1.bin", first.getTrainerConfig().get(TrainerFunction.GOLDEN_SET));
            assertTrue(first.getTrainerConfig().get("input.label_offsets").startsWith("0:0-"), first.getTrainerConfig().toString());
            assertNotNull(Snapshots.loadNetwork(first, store, KEY, SPEC), "signed, and the payload verifies");
            List<LearningEvent> events = new ArrayList<>();
            h.getSideOutput(TrainerFunction.EVENTS).forEach(r -> events.add(r.getValue()));
            assertEquals(LearningEventKind.ADOPTED, events.get(0).getKind());
            assertTrue(events.stream().anyMatch(e -> e.getKind() == LearningEventKind.PUBLISHED));

            // Its own snapshots coming back change nothing.
            int before = h.extractOutputValues().size();
            h.processElement2(new StreamRecord<>(published.get(published.size() - 1), 0L));
            assertEquals(before, h.extractOutputValues().size());

            checkpoint = h.snapshot(1L, 1L);
            for (int i = 1600; i < 3000; i++) {
                h.processElement1(new StreamRecord<>(examples.get(i), 0L));
            }
            h.extractOutputValues().stream().skip(before).forEach(s -> versionsAfterCheckpoint.add(s.getVersion()));
        }
        assertFalse(versionsAfterCheckpoint.isEmpty());

        // A restart: restored from the checkpoint, the replayed examples give the same versions again.
        List<Long> replayed = new ArrayList<>();
        try (var h = harness(root)) {
            h.initializeState(checkpoint);
            h.open();
            for (int i = 1600; i < 3000; i++) {
                h.processElement1(new StreamRecord<>(examples.get(i), 0L));
            }
            h.extractOutputValues().forEach(s -> replayed.add(s.getVersion()));
        }
        assertEquals(versionsAfterCheckpoint.size(), replayed.size(), "after the restore the trainer decides as before");
        // Versions published after the checkpoint may have been seen by scorers: the restored trainer numbers its
        // publications from the next reserved block, never reusing one.
        long newestBefore = versionsAfterCheckpoint.get(versionsAfterCheckpoint.size() - 1);
        assertEquals((newestBefore / VersionBlocks.BLOCK + 1) * VersionBlocks.BLOCK, replayed.get(0));
        for (int i = 1; i < replayed.size(); i++) {
            assertEquals(replayed.get(0) + i, replayed.get(i));
        }
    }

    @Test
    void publishesInt8PayloadsThatTheScorerLoads(@TempDir Path dir) throws Exception {
        String root = dir.toUri().toString();
        FileSystemModelStore store = new FileSystemModelStore(root);
        ModelSnapshot v1 = publishWarmStart(store);
        List<Example> examples = stream(1600, 9);
        try (var h = harness(root, PayloadFormat.INT8)) {
            h.open();
            h.processElement2(new StreamRecord<>(v1, 0L));
            for (Example e : examples) {
                h.processElement1(new StreamRecord<>(e, 0L));
            }
            List<ModelSnapshot> published = h.extractOutputValues();
            assertFalse(published.isEmpty(), "the trainer published candidates");
            ModelSnapshot first = published.get(0);
            assertEquals(PayloadFormat.INT8.id(), first.getPayloadFormat());
            try (Model served = Snapshots.load(first, store, KEY, SPEC, 8, FEATURES)) {
                assertEquals(first.getVersion(), served.version());
                double score = served.score(examples.get(0).features());
                assertTrue(score > 0 && score < 1, "scores " + score);
            }
            // A restart without a checkpoint starts fine-tuning from the int8 payload, with a fresh updater.
            try (var restarted = harness(root, PayloadFormat.INT8)) {
                restarted.open();
                restarted.processElement2(new StreamRecord<>(first, 0L));
                List<LearningEvent> events = new ArrayList<>();
                restarted.getSideOutput(TrainerFunction.EVENTS).forEach(r -> events.add(r.getValue()));
                assertEquals(LearningEventKind.ADOPTED, events.get(0).getKind());
            }
        }
    }
}
