package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureEngine;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by entity: reads the entity's state, computes the event's features as of just before it, folds the
 * event in and emits the {@link FeaturedEvent}. All arithmetic is in {@link FeatureEngine}; this class only
 * owns the state, one {@code double[]} per entity, which expires after {@code stateTtl} without events so idle
 * entities do not leak (on RocksDB the expired entries are dropped by compaction).
 */
public class FeatureFunction extends KeyedProcessFunction<String, InputEvent, FeaturedEvent> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private final Duration stateTtl;

    private transient FeatureEngine engine;
    private transient ValueState<double[]> state;
    private transient Counter newEntities;

    public FeatureFunction(FeatureSpec spec, Duration stateTtl) {
        this.spec = spec;
        this.stateTtl = stateTtl;
        if (stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("features.state_ttl must be positive, was " + stateTtl);
        }
    }

    @Override
    public void open(OpenContext ctx) {
        engine = new FeatureEngine(spec);
        ValueStateDescriptor<double[]> desc = new ValueStateDescriptor<>("features-" + spec.hash().substring(0, 12),
                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
        desc.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        state = getRuntimeContext().getState(desc);
        newEntities = getRuntimeContext().getMetricGroup().counter("featureNewEntities");
    }

    @Override
    public void processElement(InputEvent e, Context ctx, Collector<FeaturedEvent> out) throws Exception {
        double[] s = state.value();
        if (s == null) {
            s = engine.newState();
            newEntities.inc();
        }
        float[] features = engine.computeAndUpdate(s, e);
        state.update(s);
        out.collect(new FeaturedEvent(e, features));
    }
}
