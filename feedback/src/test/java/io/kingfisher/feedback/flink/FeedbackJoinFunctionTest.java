package io.kingfisher.feedback.flink;

import io.kingfisher.feedback.DroppedLabel;
import io.kingfisher.feedback.HeldLabel;
import io.kingfisher.feedback.JoinRule;
import io.kingfisher.feedback.JoinRule.LateLabels;
import io.kingfisher.feedback.JoinRule.OnTimeout;
import io.kingfisher.feedback.LabelEvent;
import io.kingfisher.feedback.ScoreEntry;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.core.TrainingExample;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.kingfisher.feedback.Fixtures.label;
import static io.kingfisher.feedback.Fixtures.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedbackJoinFunctionTest {
    private static final long H = 3_600_000L;
    private static final long D = 24 * H;
    private static final Duration WINDOW = Duration.ofDays(1);
    private static final Duration RETENTION = Duration.ofDays(1);
    private static final long FAR = 100 * D;

    private static final JoinRule BY_ID_CORRECT = JoinRule.byEventId(WINDOW, OnTimeout.NEGATIVE, LateLabels.CORRECT);

    private static final class Join implements AutoCloseable {
        final FeedbackJoinFunction function;
        final KeyedTwoInputStreamOperatorTestHarness<String, Score, LabelEvent, TrainingExample> h;

        Join(JoinRule rule, boolean rocksDb) throws Exception {
            function = new FeedbackJoinFunction(rule, RETENTION);
            h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(function),
                    FeedbackJoinFunction.scoreKey(rule), FeedbackJoinFunction.labelKey(), Types.STRING);
            if (rocksDb) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
        }

        Join open() throws Exception {
            h.open();
            return this;
        }

        Join score(Score s) throws Exception {
            h.processElement1(new StreamRecord<>(s, s.getEventTime()));
            return this;
        }

        Join label(LabelEvent l) throws Exception {
            h.processElement2(new StreamRecord<>(l, l.labelTime));
            return this;
        }

        Join watermark(long t) throws Exception {
            h.processBothWatermarks(new Watermark(t));
            return this;
        }

        List<String> sources() {
            return h.extractOutputValues().stream()
                    .map(x -> x.getEventId() + ":" + x.getLabelSource() + ":" + (int) x.getLabel()).toList();
        }

        List<DroppedLabel> dropped() {
            return h.getSideOutput(FeedbackJoinFunction.LATE_OR_UNMATCHED) == null ? List.of()
                    : h.getSideOutput(FeedbackJoinFunction.LATE_OR_UNMATCHED).stream().map(StreamRecord::getValue).toList();
        }

        long count(String metric) {
            return function.count(metric);
        }

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    @Test
    void byEventIdALabelJoinsItsScoreWhicheverComesFirst() throws Exception {
        try (Join j = new Join(BY_ID_CORRECT, false).open()) {
            j.score(score("after", "card", 0)).label(label("after", H, true));
            j.label(label("before", 2 * H, false)).watermark(3 * H).score(score("before", "card", H));
            assertEquals(List.of("after:label:1", "before:label:0"), j.sources());
            TrainingExample x = j.h.extractOutputValues().get(0);
            assertEquals(score("after", "card", 0).getFeatures(), x.getFeatures());
            assertEquals(H + 3, x.getLabelIngestTime());
            assertEquals(5L, x.getScoreIngestTime());
            assertEquals(2, j.count(FeedbackJoinFunction.EXAMPLES_LABEL));

            j.watermark(FAR);
            assertEquals(2, j.h.extractOutputValues().size());
            assertTrue(j.dropped().isEmpty());
            assertEquals(0, j.h.numKeyedStateEntries(), "settled scores and used labels are gone once their timers fired");
            assertEquals(0, j.h.numEventTimeTimers());
        }
    }

    @Test
    void timeoutsAreNegativeOrUnlabelledAsTheRuleSays() throws Exception {
        try (Join j = new Join(BY_ID_CORRECT, false).open()) {
            j.score(score("e1", "card", 0)).watermark(D - 1);
            assertTrue(j.sources().isEmpty());
            j.h.setProcessingTime(777L);
            j.watermark(D);
            assertEquals(List.of("e1:timeout:0"), j.sources());
            assertEquals(D, j.h.extractOutputValues().get(0).getLabelTime());
            assertEquals(777L, j.h.extractOutputValues().get(0).getLabelIngestTime());
            assertEquals(1, j.count(FeedbackJoinFunction.EXAMPLES_TIMEOUT));
        }
        try (Join j = new Join(JoinRule.byEventId(WINDOW, OnTimeout.UNLABELLED, LateLabels.CORRECT), false).open()) {
            j.score(score("e1", "card", 0)).score(score("e2", "card", 0)).watermark(D);
            assertTrue(j.sources().isEmpty());
            assertEquals(2, j.count(FeedbackJoinFunction.TIMEOUTS_UNLABELLED));
            j.watermark(FAR);
            assertEquals(0, j.h.numKeyedStateEntries());
        }
    }

    @Test
    void aProvisionalNegativeIsCorrectedByALaterPositiveInTheWindow() throws Exception {
        JoinRule rule = new JoinRule(JoinRule.Mode.BY_EVENT_ID, Duration.ofDays(30), OnTimeout.NEGATIVE, Duration.ofDays(2),
                LateLabels.CORRECT);
        try (Join j = new Join(rule, false).open()) {
            j.score(score("e1", "card", 0)).score(score("e2", "card", 0)).watermark(2 * D);
            assertEquals(List.of("e1:provisional:0", "e2:provisional:0"), j.sources().stream().sorted().toList());
            j.watermark(20 * D).label(label("e1", 20 * D, true));
            assertEquals("e1:correction:1", j.sources().get(2));
            j.watermark(FAR);
            assertEquals(3, j.sources().size(), "nothing more when the windows close");
            assertEquals(2, j.count(FeedbackJoinFunction.EXAMPLES_PROVISIONAL));
            assertEquals(1, j.count(FeedbackJoinFunction.EXAMPLES_CORRECTION));
            assertEquals(0, j.count(FeedbackJoinFunction.EXAMPLES_TIMEOUT));
            assertEquals(0, j.h.numKeyedStateEntries());
        }
    }

    @Test
    void aLateLabelIsCorrectedOrDroppedToTheSideOutput() throws Exception {
        try (Join j = new Join(BY_ID_CORRECT, false).open()) {
            j.score(score("e1", "card", 0)).watermark(D + H).label(label("e1", D - H, true));
            assertEquals(List.of("e1:timeout:0", "e1:correction:1"), j.sources());
            assertEquals(1, j.count(FeedbackJoinFunction.LATE_LABELS));
            assertTrue(j.dropped().isEmpty());
        }
        try (Join j = new Join(JoinRule.byEventId(WINDOW, OnTimeout.NEGATIVE, LateLabels.DROP), false).open()) {
            j.score(score("e1", "card", 0)).watermark(D + H).label(label("e1", D - H, true));
            assertEquals(List.of("e1:timeout:0"), j.sources());
            assertEquals(1, j.count(FeedbackJoinFunction.LATE_LABELS));
            List<DroppedLabel> dropped = j.dropped();
            assertEquals(1, dropped.size());
            assertEquals(DroppedLabel.Kind.LATE, dropped.get(0).kind);
            assertEquals(label("e1", D - H, true), dropped.get(0).label);
            assertTrue(dropped.get(0).reason.contains("e1"), dropped.get(0).reason);
            j.watermark(FAR);
            assertEquals(1, j.dropped().size());
            assertEquals(0, j.h.numKeyedStateEntries());
        }
    }

    @Test
    void unmatchedLabelsAndDuplicatesAreCounted() throws Exception {
        try (Join j = new Join(BY_ID_CORRECT, false).open()) {
            j.score(score("e1", "card", 0)).score(score("e1", "card", 0));
            j.label(label("e1", H, true)).label(label("e1", H, true)).label(label("ghost", H, true));
            assertEquals(List.of("e1:label:1"), j.sources());
            assertEquals(1, j.count(FeedbackJoinFunction.DUPLICATE_SCORES));
            assertEquals(1, j.count(FeedbackJoinFunction.DUPLICATE_LABELS));
            j.watermark(FAR);
            assertEquals(List.of(DroppedLabel.Kind.UNMATCHED), j.dropped().stream().map(d -> d.kind).toList());
            assertEquals("ghost", j.dropped().get(0).label.joinKey);
            assertEquals(1, j.count(FeedbackJoinFunction.UNMATCHED_LABELS));
            assertEquals(0, j.h.numKeyedStateEntries());
        }
    }

    @Test
    void byEntityOutcomesLabelTheScoresInTheWindowBeforeThem() throws Exception {
        try (Join j = new Join(JoinRule.byEntityWithin(WINDOW, OnTimeout.NEGATIVE, LateLabels.CORRECT), false).open()) {
            j.score(score("a", "p1", 0)).score(score("b", "p1", 10 * H)).score(score("c", "p2", 10 * H)).watermark(20 * H);
            j.label(label("p1", 26 * H, true));
            assertEquals(List.of("b:label:1"), j.sources());
            j.label(label("p2", 12 * H, false));
            assertEquals(List.of("b:label:1", "c:label:0"), j.sources());
            j.watermark(FAR);
            assertEquals(List.of("b:label:1", "c:label:0", "a:timeout:0"), j.sources());
            assertEquals(0, j.h.numKeyedStateEntries());
            assertEquals(0, j.h.numEventTimeTimers());
        }
    }

    @Test
    void theStateHoldsOnlyWhatIsWaitingOrRemembered() throws Exception {
        try (Join j = new Join(BY_ID_CORRECT, false).open()) {
            for (int i = 0; i < 50; i++) {
                j.score(score("e" + i, "card", i * H));
            }
            assertEquals(50, j.h.numKeyedStateEntries(), "by event id: one score per key, no due-time index");
            j.label(label("e0", H, true));
            j.watermark(D + 10 * H);                          // e0..e10 settled, e0's label still held
            assertEquals(50, j.h.numKeyedStateEntries(), "settled scores are remembered for the retention");
            j.watermark(2 * D + 10 * H);                      // e0..e10 forgotten
            assertEquals(39, j.h.numKeyedStateEntries());
            j.watermark(FAR);
            assertEquals(0, j.h.numKeyedStateEntries());
            assertEquals(0, j.h.numEventTimeTimers());
        }
    }

    @Test
    void byEntityTheDueTimeIndexGoesWithTheKeysLastScore() throws Exception {
        try (Join j = new Join(JoinRule.byEntityWithin(WINDOW, OnTimeout.NEGATIVE, LateLabels.CORRECT), false).open()) {
            for (int i = 0; i < 20; i++) {
                j.score(score("e" + i, "patient", i * H));
            }
            // the heap backend counts one entry per key and state: the scores, and their filings by due time
            assertEquals(2, j.h.numKeyedStateEntries());
            j.watermark(D + 4 * H);                           // e0..e4 time out, filed again under their retention's end
            assertEquals(3, j.h.numKeyedStateEntries(), "and the key is marked as fully filed");
            assertEquals(List.of("e0:timeout:0", "e1:timeout:0", "e2:timeout:0", "e3:timeout:0", "e4:timeout:0"), j.sources());
            j.watermark(FAR);
            assertEquals(20, j.sources().size());
            assertEquals(0, j.h.numKeyedStateEntries(), "scores, filings and the mark all go with the key's last score");
            assertEquals(0, j.h.numEventTimeTimers());
        }
    }

    @Test
    void pendingScoresHeldLabelsAndTimersSurviveACheckpointOnRocksDb() throws Exception {
        JoinRule rule = JoinRule.byEventId(WINDOW, OnTimeout.NEGATIVE, LateLabels.CORRECT).withProvisionalNegativeAfter(Duration.ofHours(6));
        OperatorSubtaskState snapshot;
        try (Join j = new Join(rule, true).open()) {
            j.score(score("waits", "card", 0)).score(score("labelled", "card", 0)).score(score("times-out", "card", 0));
            j.label(label("early", H, true));                 // its score comes after the restore
            j.label(label("labelled", H, false));
            assertEquals(List.of("labelled:label:0"), j.sources());
            snapshot = j.h.snapshot(1L, 1L);
        }
        try (Join j = new Join(rule, true)) {
            j.h.initializeState(snapshot);
            j.open();
            j.score(score("labelled", "card", 0));            // a replay: remembered, so a duplicate
            j.score(score("early", "card", 0));
            assertEquals(List.of("early:label:1"), j.sources());
            j.watermark(6 * H);                               // the restored timers fire
            assertEquals(List.of("times-out:provisional:0", "waits:provisional:0"), j.sources().subList(1, 3).stream().sorted().toList());
            j.label(label("waits", 10 * H, true));
            j.watermark(FAR);
            assertEquals("waits:correction:1", j.sources().get(3));
            assertEquals(4, j.sources().size());
            assertEquals(1, j.count(FeedbackJoinFunction.DUPLICATE_SCORES));
            assertTrue(j.dropped().isEmpty(), j.dropped().toString());
            assertEquals(0, j.h.numEventTimeTimers());
        }
    }

    @Test
    void keysAndStateTypesNeedNoGenericSerializer() {
        JoinRule byEntity = JoinRule.byEntityWithin(WINDOW, OnTimeout.NEGATIVE, LateLabels.CORRECT);
        assertEquals(Types.STRING, TypeExtractor.getKeySelectorTypes(FeedbackJoinFunction.scoreKey(byEntity), new AvroTypeInfo<>(Score.class)));
        assertEquals(Types.STRING, TypeExtractor.getKeySelectorTypes(FeedbackJoinFunction.labelKey(), TypeInformation.of(LabelEvent.class)));

        PojoTypeInfo<ScoreEntry> entry = assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(ScoreEntry.class));
        assertInstanceOf(AvroTypeInfo.class, entry.getTypeAt(entry.getFieldIndex("score")));
        for (Class<?> c : List.of(ScoreEntry.class, HeldLabel.class, LabelEvent.class, DroppedLabel.class)) {
            PojoTypeInfo<?> pojo = assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(c), c.getName());
            for (int i = 0; i < pojo.getArity(); i++) {
                assertFalse(pojo.getTypeAt(i) instanceof GenericTypeInfo, c.getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName());
            }
        }
        assertInstanceOf(AvroTypeInfo.class, TypeInformation.of(TrainingExample.class));
    }
}
