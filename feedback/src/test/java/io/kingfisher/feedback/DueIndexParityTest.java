package io.kingfisher.feedback;

import static io.kingfisher.feedback.Fixtures.label;
import static io.kingfisher.feedback.Fixtures.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.feedback.JoinRule.LateLabels;
import io.kingfisher.feedback.JoinRule.OnTimeout;
import io.kingfisher.feedback.flink.FeedbackJoinFunction;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.core.TrainingExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Flink operator reads only the entries due when a timer fires (its state files them by due time); here the
 * plain-Java join is handed every entry of the key on each timer, as before due times existed, so a wrong due time
 * would show as a difference. On the same long random stream (a few entities holding
 * hundreds of scores each, labels in and after their windows, provisional negatives, a checkpoint and restore halfway)
 * both must emit the same examples and end with no state, on RocksDB and on the heap backend.
 */
class DueIndexParityTest {
    private static final long M = 60_000L;
    private static final long H = 60 * M;

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {true, false})
    void theOperatorWithItsDueIndexEmitsWhatTheJoinOverAllEntriesEmits(boolean rocksDb) throws Exception {
        JoinRule rule = JoinRule.byEntityWithin(Duration.ofHours(6), OnTimeout.NEGATIVE, LateLabels.CORRECT)
                .withProvisionalNegativeAfter(Duration.ofHours(2));
        Duration retention = Duration.ofHours(3);
        Driver expected = new Driver(rule, retention);
        expected.everyEntryOnTimers = true;
        Random random = new Random(11);
        List<Object> stream = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 900; i++) {
            t += random.nextInt(4) * M;
            String entity = "p" + random.nextInt(3);
            if (random.nextInt(12) == 0) {
                stream.add(label(entity, t - random.nextInt(10) * H, random.nextBoolean()));
            } else {
                stream.add(score("e" + i, entity, t));
            }
            if (i % 25 == 24) {
                stream.add(new Watermark(t - H));
            }
        }
        stream.add(new Watermark(t + 100 * H));

        List<String> actual = new ArrayList<>();
        OperatorSubtaskState snapshot = null;
        int half = stream.size() / 2;
        for (int part = 0; part < 2; part++) {
            FeedbackJoinFunction function = new FeedbackJoinFunction(rule, retention);
            try (KeyedTwoInputStreamOperatorTestHarness<String, Score, LabelEvent, TrainingExample> h =
                         new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(function),
                                 FeedbackJoinFunction.scoreKey(rule), FeedbackJoinFunction.labelKey(), Types.STRING)) {
                if (rocksDb) {
                    h.setStateBackend(new EmbeddedRocksDBStateBackend());
                }
                if (snapshot != null) {
                    h.initializeState(snapshot);
                }
                h.open();
                for (Object o : part == 0 ? stream.subList(0, half) : stream.subList(half, stream.size())) {
                    if (o instanceof Score s) {
                        h.processElement1(new StreamRecord<>(s, s.getEventTime()));
                    } else if (o instanceof LabelEvent l) {
                        h.processElement2(new StreamRecord<>(l, l.labelTime));
                    } else {
                        h.processBothWatermarks((Watermark) o);
                    }
                }
                h.extractOutputValues().forEach(x -> actual.add(x.getEventId() + ":" + x.getLabelSource() + ":" + (int) x.getLabel()));
                if (part == 0) {
                    snapshot = h.snapshot(1L, 1L);
                } else {
                    if (!rocksDb) { // the harness counts entries of the heap backend only
                        assertEquals(0, h.numKeyedStateEntries(), "scores, labels, filings and marks are all gone");
                    }
                    assertEquals(0, h.numEventTimeTimers());
                }
            }
        }

        for (Object o : stream) {
            if (o instanceof Score s) {
                expected.score(s);
            } else if (o instanceof LabelEvent l) {
                expected.label(l);
            } else {
                expected.advance(((Watermark) o).getTimestamp());
            }
        }
        assertTrue(expected.empty());
        assertTrue(expected.examples.size() > 800, "examples: " + expected.examples.size());
        assertTrue(expected.sources().stream().anyMatch(x -> x.contains(":provisional:")), "provisional negatives occur");
        assertTrue(expected.sources().stream().anyMatch(x -> x.contains(":correction:")), "corrections occur");
        assertEquals(expected.sources().stream().sorted().toList(), actual.stream().sorted().toList());
    }
}
