package io.kingfisher.feedback.flink;

import io.kingfisher.feedback.DroppedLabel;
import io.kingfisher.feedback.FeedbackJoin;
import io.kingfisher.feedback.HeldLabel;
import io.kingfisher.feedback.JoinResult;
import io.kingfisher.feedback.JoinRule;
import io.kingfisher.feedback.LabelEvent;
import io.kingfisher.feedback.ScoreEntry;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.core.TrainingExample;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The feedback join: scores on the first input, labels on the second, both keyed by the rule's join key
 * ({@link #scoreKey}, {@link #labelKey}); emits {@link TrainingExample}s. Every decision is made by
 * {@link FeedbackJoin}; this class holds its state (a map of scores by event id and a map of held labels per key),
 * sets the event-time timers it asks for, and reports.
 *
 * <pre>{@code
 * scores.connect(labels)
 *       .keyBy(FeedbackJoinFunction.scoreKey(rule), FeedbackJoinFunction.labelKey())
 *       .process(new FeedbackJoinFunction(rule, retention));
 * }</pre>
 *
 * <p>Dropped labels (late, superseded, unmatched) go to {@link #LATE_OR_UNMATCHED} with the reason. Counters:
 * {@value #EXAMPLES_LABEL}, {@value #EXAMPLES_TIMEOUT}, {@value #EXAMPLES_PROVISIONAL}, {@value #EXAMPLES_CORRECTION}
 * (examples by label source), {@value #TIMEOUTS_UNLABELLED}, {@value #LATE_LABELS} (labels that came after a score
 * they label was settled, corrected or not), {@value #UNMATCHED_LABELS}, {@value #SUPERSEDED_LABELS},
 * {@value #DUPLICATE_SCORES}, {@value #DUPLICATE_LABELS}.
 *
 * <p>Bounded state. Every score and label held has an event-time timer that removes it: a score at
 * {@code event_time + window + retention}, a label at {@code labelTime + window}. The state therefore empties as
 * the watermark advances, which it does only if both inputs have watermarks: mark an input that can go quiet (a
 * label topic with rare labels) idle in its watermark strategy, or the join holds everything.
 */
public class FeedbackJoinFunction extends KeyedCoProcessFunction<String, Score, LabelEvent, TrainingExample> {
    private static final long serialVersionUID = 1L;

    /** Labels that labelled no score, with why (late, superseded, unmatched). */
    public static final OutputTag<DroppedLabel> LATE_OR_UNMATCHED =
            new OutputTag<>("feedback-late-or-unmatched", TypeInformation.of(DroppedLabel.class));

    public static final String EXAMPLES_LABEL = "feedbackExamplesLabel";
    public static final String EXAMPLES_TIMEOUT = "feedbackExamplesTimeout";
    public static final String EXAMPLES_PROVISIONAL = "feedbackExamplesProvisional";
    public static final String EXAMPLES_CORRECTION = "feedbackExamplesCorrection";
    public static final String TIMEOUTS_UNLABELLED = "feedbackTimeoutsUnlabelled";
    public static final String LATE_LABELS = "feedbackLateLabels";
    public static final String UNMATCHED_LABELS = "feedbackUnmatchedLabels";
    public static final String SUPERSEDED_LABELS = "feedbackSupersededLabels";
    public static final String DUPLICATE_SCORES = "feedbackDuplicateScores";
    public static final String DUPLICATE_LABELS = "feedbackDuplicateLabels";

    /** Names of the keyed states. */
    static final String SCORES_STATE = "feedback-scores";
    static final String LABELS_STATE = "feedback-labels";
    static final String DUE_STATE = "feedback-scores-by-due";
    static final String INDEXED_STATE = "feedback-scores-indexed";

    private final FeedbackJoin join;

    private transient FlinkJoinState state;
    private transient Map<String, Counter> counters;

    /**
     * @param rule      the join rule
     * @param retention how long after its window a settled score is remembered, to recognise late labels and
     *                  replays (see {@link FeedbackJoin#FeedbackJoin(JoinRule, Duration)})
     */
    public FeedbackJoinFunction(JoinRule rule, Duration retention) {
        this.join = new FeedbackJoin(rule, retention);
    }

    /** @return the key of a score under the rule: its event id, or its entity */
    public static KeySelector<Score, String> scoreKey(JoinRule rule) {
        return new ScoreKey(rule);
    }

    /** @return the key of a label: its {@link LabelEvent#joinKey} */
    public static KeySelector<LabelEvent, String> labelKey() {
        return new LabelKey();
    }

    @Override
    public void open(OpenContext ctx) {
        var scores = getRuntimeContext().getMapState(new MapStateDescriptor<>(SCORES_STATE, Types.STRING, TypeInformation.of(ScoreEntry.class)));
        var labels = getRuntimeContext().getMapState(new MapStateDescriptor<>(LABELS_STATE, Types.STRING, TypeInformation.of(HeldLabel.class)));
        // Keyed by event id a key holds one score, and reading it on a timer is all there is to read: the due-time
        // index pays only where a key holds many (an entity's window).
        state = join.rule().mode() == JoinRule.Mode.BY_ENTITY_WITHIN
                ? new FlinkJoinState(scores, labels,
                        getRuntimeContext().getMapState(new MapStateDescriptor<>(DUE_STATE, Types.LONG, Types.OBJECT_ARRAY(Types.STRING))),
                        getRuntimeContext().getState(new ValueStateDescriptor<>(INDEXED_STATE, Types.BOOLEAN)))
                : new FlinkJoinState(scores, labels);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        counters = new LinkedHashMap<>();
        for (String name : List.of(EXAMPLES_LABEL, EXAMPLES_TIMEOUT, EXAMPLES_PROVISIONAL, EXAMPLES_CORRECTION, TIMEOUTS_UNLABELLED,
                LATE_LABELS, UNMATCHED_LABELS, SUPERSEDED_LABELS, DUPLICATE_SCORES, DUPLICATE_LABELS)) {
            counters.put(name, metrics.counter(name));
        }
    }

    @Override
    public void processElement1(Score score, Context ctx, Collector<TrainingExample> out) {
        apply(join.onScore(state, score), ctx, out);
    }

    @Override
    public void processElement2(LabelEvent label, Context ctx, Collector<TrainingExample> out) {
        apply(join.onLabel(state, label), ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingExample> out) {
        apply(join.onTime(state, timestamp, ctx.timerService().currentProcessingTime()), ctx, out);
    }

    private void apply(JoinResult r, Context ctx, Collector<TrainingExample> out) {
        for (TrainingExample x : r.examples()) {
            out.collect(x);
            counters.get(exampleCounter(x.getLabelSource())).inc();
        }
        for (DroppedLabel d : r.dropped()) {
            ctx.output(LATE_OR_UNMATCHED, d);
            if (d.kind == DroppedLabel.Kind.UNMATCHED) {
                counters.get(UNMATCHED_LABELS).inc();
            } else if (d.kind == DroppedLabel.Kind.SUPERSEDED) {
                counters.get(SUPERSEDED_LABELS).inc();
            } // LATE is counted below, with the late labels that corrected something
        }
        for (long t : r.timers()) {
            ctx.timerService().registerEventTimeTimer(t);
        }
        counters.get(TIMEOUTS_UNLABELLED).inc(r.unlabelledTimeouts());
        counters.get(LATE_LABELS).inc(r.lateLabels());
        counters.get(DUPLICATE_SCORES).inc(r.duplicateScores());
        counters.get(DUPLICATE_LABELS).inc(r.duplicateLabels());
    }

    private static String exampleCounter(String labelSource) {
        if (FeedbackJoin.TIMEOUT.equals(labelSource)) {
            return EXAMPLES_TIMEOUT;
        } else if (FeedbackJoin.PROVISIONAL.equals(labelSource)) {
            return EXAMPLES_PROVISIONAL;
        } else if (FeedbackJoin.CORRECTION.equals(labelSource)) {
            return EXAMPLES_CORRECTION;
        }
        return EXAMPLES_LABEL;
    }

    /** The count of a metric so far (tests: the harness registers metrics nowhere). */
    long count(String metric) {
        return counters.get(metric).getCount();
    }

    /** A score's join key: its event id or its entity. */
    private static final class ScoreKey implements KeySelector<Score, String>, ResultTypeQueryable<String> {
        private static final long serialVersionUID = 1L;
        private final JoinRule rule;

        ScoreKey(JoinRule rule) {
            this.rule = rule;
        }

        @Override
        public String getKey(Score score) {
            return rule.keyOf(score);
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    /** A label's join key. */
    private static final class LabelKey implements KeySelector<LabelEvent, String>, ResultTypeQueryable<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(LabelEvent label) {
            return label.joinKey;
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }
}
