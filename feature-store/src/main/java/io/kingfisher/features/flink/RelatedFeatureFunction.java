package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeatureStages;
import io.kingfisher.features.FeaturedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by a related entity's key (the merchant of a payment, the item of an impression): reads the entity's state,
 * attaches its vector as of the event to the event ({@link FeatureStages#relate}), folds the event in and passes the
 * event on. All arithmetic is in {@link FeatureStages}; this class owns the state, one {@code double[]} per related
 * entity, with the same TTL as the primary entity's.
 *
 * <p>Nothing is rejected here: an event that names no entity (key {@code ""}, see {@link #keySelector}) or is later
 * than the allowed lateness for this entity gets zeros for it and is counted ({@code featureRelatedMissingKey},
 * {@code featureRelatedLate}); it was accepted by the primary entity's stage and is still scored.
 */
public class RelatedFeatureFunction extends KeyedProcessFunction<String, FeaturedEvent, FeaturedEvent> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private final int stage;
    private final Duration stateTtl;

    private transient FeatureStages stages;
    private transient ValueState<double[]> state;
    private transient Counter newEntities;
    private transient Counter late;
    private transient Counter missingKey;

    /**
     * @param spec     the primary spec
     * @param stage    which of {@link FeatureSpec#related()} this stage computes
     * @param stateTtl how long an idle related entity's state is kept
     */
    public RelatedFeatureFunction(FeatureSpec spec, int stage, Duration stateTtl) {
        if (stage < 0 || stage >= spec.related().size()) {
            throw new IllegalArgumentException("no related stage " + stage + " in " + spec);
        }
        if (stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("features.state_ttl must be positive, was " + stateTtl);
        }
        this.spec = spec;
        this.stage = stage;
        this.stateTtl = stateTtl;
    }

    /** The stage's key: the related entity's key, or {@code ""} when the event names none. */
    public static KeySelector<FeaturedEvent, String> keySelector(FeatureSpec spec, int stage) {
        FeatureStages stages = new FeatureStages(spec);
        return e -> {
            String key = stages.relatedKey(stage, e.texts);
            return key == null ? "" : key;
        };
    }

    @Override
    public void open(OpenContext ctx) {
        stages = new FeatureStages(spec);
        ValueStateDescriptor<double[]> desc = new ValueStateDescriptor<>(FeatureFunction.stateName(spec.relatedSpec(stage)),
                CompactDoubleArraySerializer.INSTANCE);
        desc.enableTimeToLive(FeatureFunction.ttl(stateTtl));
        state = getRuntimeContext().getState(desc);
        newEntities = getRuntimeContext().getMetricGroup().counter("featureRelatedNewEntities");
        late = getRuntimeContext().getMetricGroup().counter("featureRelatedLate");
        missingKey = getRuntimeContext().getMetricGroup().counter("featureRelatedMissingKey");
    }

    @Override
    public void processElement(FeaturedEvent e, Context ctx, Collector<FeaturedEvent> out) throws Exception {
        if (ctx.getCurrentKey().isEmpty()) {
            stages.relate(stage, null, e.input(), e.related);
            missingKey.inc();
            out.collect(e);
            return;
        }
        double[] stored = state.value();
        double[] s = stored == null ? stages.related(stage).newState() : stages.related(stage).adopt(stored);
        switch (stages.relate(stage, s, e.input(), e.related)) {
            case ACCEPTED -> {
                if (stored == null) {
                    newEntities.inc();
                }
                state.update(s);
            }
            case LATE -> late.inc();
            case NO_KEY -> throw new IllegalStateException("unreachable: the stage holds a state");
        }
        out.collect(e);
    }
}
