package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureEngine;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.LateEventException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * The primary entity's stage, whatever it emits ({@link FeatureFunction}, {@link PrimaryStageFunction}): reads the
 * entity's state, computes the event's columns as of just before it ({@link FeatureEngine#computeStage}), folds the
 * event in; a rejected event goes to {@link FeatureFunction#REJECTED}. See {@link FeatureFunction}.
 *
 * @param <O> what it emits per accepted event
 */
abstract class EntityFeatureFunction<O> extends KeyedProcessFunction<String, InputEvent, O> {
    private static final long serialVersionUID = 1L;

    final FeatureSpec spec;
    private final Duration stateTtl;

    private transient FeatureEngine engine;
    private transient ValueState<double[]> state;
    private transient Counter newEntities;
    private transient Counter lateEvents;
    private transient Counter invalidEvents;

    EntityFeatureFunction(FeatureSpec spec, Duration stateTtl) {
        this.spec = spec;
        this.stateTtl = stateTtl;
        if (stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("features.state_ttl must be positive, was " + stateTtl);
        }
    }

    /** What to emit for an accepted event and its columns. */
    abstract O emit(InputEvent e, float[] features);

    @Override
    public void open(OpenContext ctx) {
        engine = new FeatureEngine(spec);
        ValueStateDescriptor<double[]> desc = new ValueStateDescriptor<>(FeatureFunction.stateName(spec),
                CompactDoubleArraySerializer.INSTANCE);
        desc.enableTimeToLive(FeatureFunction.ttl(stateTtl));
        state = getRuntimeContext().getState(desc);
        newEntities = getRuntimeContext().getMetricGroup().counter("featureNewEntities");
        lateEvents = getRuntimeContext().getMetricGroup().counter("featureLateEvents");
        invalidEvents = getRuntimeContext().getMetricGroup().counter("featureInvalidEvents");
    }

    @Override
    public void processElement(InputEvent e, Context ctx, Collector<O> out) throws Exception {
        double[] stored = state.value();
        double[] s = stored == null ? engine.newState() : engine.adopt(stored);
        float[] features = new float[spec.width()];
        try {
            engine.computeStage(s, e, null, features);
        } catch (LateEventException late) {
            lateEvents.inc();
            ctx.output(FeatureFunction.REJECTED, new RejectedEvent(e, RejectedEvent.Reason.LATE, late.getMessage(), late.lateByMs()));
            return;
        } catch (InvalidInputException invalid) {
            invalidEvents.inc();
            ctx.output(FeatureFunction.REJECTED, new RejectedEvent(e, RejectedEvent.Reason.INVALID, invalid.getMessage(), 0L));
            return;
        }
        if (stored == null) {
            newEntities.inc();
        }
        state.update(s);
        out.collect(emit(e, features));
    }
}
