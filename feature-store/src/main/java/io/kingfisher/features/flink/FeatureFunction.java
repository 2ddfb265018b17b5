package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureEngine;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.LateEventException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * Keyed by entity: reads the entity's state, computes the event's features as of just before it, folds the
 * event in and emits the {@link FeaturedEvent}. All arithmetic is in {@link FeatureEngine}; this class only
 * owns the state, one {@code double[]} per entity, stored with {@link CompactDoubleArraySerializer}.
 *
 * <p>Rejected events. An event later than the spec's allowed lateness (behind the entity's latest accepted
 * event) or with a non-finite number changes no state and gets no vector: it goes to the {@link #REJECTED} side
 * output with the reason, and is counted in the {@code featureLateEvents} / {@code featureInvalidEvents}
 * metrics. Route that side output to the dead-letter topic.
 *
 * <p>Related entities. For a spec that looks up other entities ({@link io.kingfisher.features.RelatedEntity}) this is
 * the first stage: its vectors lack the lookup columns, and carry the inputs on to the {@link RelatedFeatureFunction}
 * stages; {@link FeaturePipeline} wires them.
 *
 * <p>Idle entities. The state expires {@code stateTtl} of processing time after the entity's last accepted
 * event (TTL on create and write, never returning expired values), so entities that go quiet do not leak: on the
 * heap backend expired entries are dropped incrementally as state is accessed, on RocksDB by the compaction
 * filter. An entity that returns after that starts from a fresh state.
 */
public class FeatureFunction extends KeyedProcessFunction<String, InputEvent, FeaturedEvent> {
    private static final long serialVersionUID = 2L;

    /** Events rejected by the engine (too late, or invalid), with the reason. */
    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("feature-rejected", TypeInformation.of(RejectedEvent.class));

    private final FeatureSpec spec;
    private final Duration stateTtl;

    private final boolean staged;

    private transient FeatureEngine engine;
    private transient ValueState<double[]> state;
    private transient Counter newEntities;
    private transient Counter lateEvents;
    private transient Counter invalidEvents;

    public FeatureFunction(FeatureSpec spec, Duration stateTtl) {
        this.spec = spec;
        this.stateTtl = stateTtl;
        this.staged = spec.hasRelated();
        if (stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("features.state_ttl must be positive, was " + stateTtl);
        }
    }

    /** Name of the keyed state, tied to the spec's hash so a changed spec never reads another layout. */
    public static String stateName(FeatureSpec spec) {
        return "features-" + (spec.entity() == null ? "" : spec.entity() + "-") + spec.hash().substring(0, 12);
    }

    /** The TTL of feature state: {@code ttl} after the entity's last write, never returning expired values. */
    static StateTtlConfig ttl(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupIncrementally(10, false)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }

    @Override
    public void open(OpenContext ctx) {
        engine = new FeatureEngine(spec);
        ValueStateDescriptor<double[]> desc = new ValueStateDescriptor<>(stateName(spec), CompactDoubleArraySerializer.INSTANCE);
        desc.enableTimeToLive(ttl(stateTtl));
        state = getRuntimeContext().getState(desc);
        newEntities = getRuntimeContext().getMetricGroup().counter("featureNewEntities");
        lateEvents = getRuntimeContext().getMetricGroup().counter("featureLateEvents");
        invalidEvents = getRuntimeContext().getMetricGroup().counter("featureInvalidEvents");
    }

    @Override
    public void processElement(InputEvent e, Context ctx, Collector<FeaturedEvent> out) throws Exception {
        double[] stored = state.value();
        double[] s = stored == null ? engine.newState() : engine.adopt(stored);
        float[] features = new float[spec.width()];
        try {
            engine.computeStage(s, e, null, features);
        } catch (LateEventException late) {
            lateEvents.inc();
            ctx.output(REJECTED, new RejectedEvent(e, RejectedEvent.Reason.LATE, late.getMessage(), late.lateByMs()));
            return;
        } catch (InvalidInputException invalid) {
            invalidEvents.inc();
            ctx.output(REJECTED, new RejectedEvent(e, RejectedEvent.Reason.INVALID, invalid.getMessage(), 0L));
            return;
        }
        if (stored == null) {
            newEntities.inc();
        }
        state.update(s);
        FeaturedEvent featured = new FeaturedEvent(e, features);
        if (staged) { // the related stages read the inputs; the lookup columns come last
            featured.numbers = e.numbers;
            featured.texts = e.texts;
            featured.related = new float[spec.relatedWidth()];
        }
        out.collect(featured);
    }
}
