package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.RelatedEntity;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;

import java.time.Duration;

/**
 * Wires a spec's feature stages into a job. Without related entities: keyed by the primary entity, the
 * {@link FeatureFunction}, as before. With them: keyed by the primary entity, the {@link PrimaryStageFunction}; then,
 * for each related entity in stage order, keyed by its key, a {@link RelatedFeatureOperator}; then
 * {@link FinishFeatures}, which fills the lookup columns. {@link StagedEvent}s flow between them.
 *
 * <p>Why the primary stage comes first: its events arrive in their partition's order (the source is keyed by the
 * primary entity), which its arrival-ordered features need; a shuffle by the related key before it would interleave
 * an entity's events from several subtasks. The related stages read as of the event's time bucket, which such
 * interleaving does not change (see {@link RelatedEntity}). What the order costs: after a related stage an entity's
 * events may reach the scorer in another order than they came, by the skew between subtasks.
 *
 * <p>Uids: {@code features-<suffix>} for the primary stage (as before related entities existed),
 * {@code features-<suffix>-<entity>} per related stage, {@code features-finish-<suffix>}.
 */
public final class FeaturePipeline {
    private FeaturePipeline() {
    }

    /**
     * The stages' operators.
     *
     * @param primary  the primary entity's stage, whose {@link FeatureFunction#REJECTED} side output has the rejected events
     * @param featured the complete vectors
     */
    public record Stages(SingleOutputStreamOperator<?> primary, DataStream<FeaturedEvent> featured) {
    }

    /**
     * @param events  decoded events, not yet keyed
     * @param forward true to key each stage by reinterpreting its input as keyed instead of shuffling: only correct
     *                where every operator runs in one subtask (a benchmark chaining all stages into one thread)
     */
    public static Stages build(DataStream<InputEvent> events, FeatureSpec spec, Duration stateTtl, String uidSuffix, boolean forward) {
        return build(events, null, spec, stateTtl, FeatureFunction.DEFAULT_STATE_CACHE_BYTES, uidSuffix, forward);
    }

    /**
     * As {@link #build(DataStream, FeatureSpec, Duration, String, boolean)}, and the stage of each related entity with
     * label features also reads {@code labels} (over {@link RelatedEntity#LABEL_FIELD} and
     * {@link FeatureSpec#labelTextInputs()}, at their label times), keyed by the entity's key in the label.
     *
     * @param labels     the labels, or null: then label features read zeros (a job without a labels topic)
     * @param cacheBytes heap per subtask for the primary stage's read cache of entity states, 0 for none
     */
    public static Stages build(DataStream<InputEvent> events, DataStream<InputEvent> labels, FeatureSpec spec, Duration stateTtl,
                               long cacheBytes, String uidSuffix, boolean forward) {
        if (!spec.hasRelated()) {
            SingleOutputStreamOperator<FeaturedEvent> primary = keyed(events, e -> e.entity, forward)
                    .process(new FeatureFunction(spec, stateTtl, cacheBytes), FeaturedEvents.TYPE)
                    .name("features").uid("features-" + uidSuffix);
            return new Stages(primary, primary);
        }
        SingleOutputStreamOperator<StagedEvent> primary = keyed(events, e -> e.entity, forward)
                .process(new PrimaryStageFunction(spec, stateTtl, cacheBytes), StagedEvent.TYPE)
                .name("features").uid("features-" + uidSuffix);
        DataStream<StagedEvent> staged = primary;
        for (int i = 0; i < spec.related().size(); i++) {
            String entity = spec.related().get(i).name();
            RelatedFeatureOperator stage = new RelatedFeatureOperator(spec, i, stateTtl);
            if (labels != null && spec.relatedLabelSpec(i) != null) {
                staged = keyed(staged, RelatedFeatureOperator.keySelector(spec, i), forward)
                        .connect(labels.keyBy(RelatedFeatureOperator.labelKeySelector(spec, i), Types.STRING))
                        .transform("features-" + entity, StagedEvent.TYPE, (TwoInputStreamOperator<StagedEvent, InputEvent, StagedEvent>) stage)
                        .uid("features-" + uidSuffix + "-" + entity);
            } else {
                staged = keyed(staged, RelatedFeatureOperator.keySelector(spec, i), forward)
                        .transform("features-" + entity, StagedEvent.TYPE, (OneInputStreamOperator<StagedEvent, StagedEvent>) stage)
                        .uid("features-" + uidSuffix + "-" + entity);
            }
        }
        DataStream<FeaturedEvent> featured = staged.map(new FinishFeatures(spec))
                .returns(FeaturedEvents.TYPE)
                .name("features-finish").uid("features-finish-" + uidSuffix);
        return new Stages(primary, featured);
    }

    private static <T> KeyedStream<T, String> keyed(DataStream<T> in, KeySelector<T, String> key, boolean forward) {
        return forward ? DataStreamUtils.reinterpretAsKeyedStream(in, key, Types.STRING) : in.keyBy(key, Types.STRING);
    }
}
