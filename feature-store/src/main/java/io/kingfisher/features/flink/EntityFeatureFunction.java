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
 * <p>Expiry. Each entity has one processing-time timer at its {@link IdleExpiry#deadline deadline}, set when the
 * entity is first written. The state keeps the last write's processing time in a slot after the engine's (see
 * {@link IdleExpiry}), so later writes touch no timer: when the timer fires, an entity written since gets a new
 * timer for its new deadline, an idle one is cleared and its key goes to {@link FeatureFunction#EXPIRED}. An active
 * entity therefore costs one timer registration per TTL, not one per event or per grain. State restored from before
 * expiry existed (no last-write slot, no timer) gets its timer at its next write; an entity never written again
 * still expires by the state TTL, silently, as before.
 *
 * <p>Read cache. Reading an entity's state from RocksDB was half of this stage's CPU at full speed (a JNI call, a
 * memtable and a block-cache lookup), more than the features themselves. So the states last written are also kept on
 * the heap ({@link StateReadCache}, as many as fit in the configured bytes, least recently used evicted), and an entity
 * seen again is read from there, as a copy (the event is computed on the copy, which is then written and held).
 * Writes still go to keyed state at every event, so checkpoints, restores and rescaling see what they saw without
 * the cache, and a restored subtask starts with it empty. A held state is used only while its last write is within
 * the TTL: past that, keyed state and Flink's TTL decide (Flink stamps the write no earlier than the last-write slot,
 * so the held state is never used where keyed state would have expired). An expiry drops the entity from the cache;
 * a rejected event changes neither. Metrics: {@code featureStateCacheHits}, {@code featureStateCacheMisses}.
 *
 * @param <O> what it emits per accepted event
 */
abstract class EntityFeatureFunction<O> extends KeyedProcessFunction<String, InputEvent, O> {
    private static final long serialVersionUID = 1L;

    final FeatureSpec spec;
    private final Duration stateTtl;
    private final IdleExpiry expiry;
    private final int cacheEntries;

    private transient FeatureEngine engine;
    private transient ValueState<double[]> state;
    private transient StateReadCache cache;
    private transient Counter newEntities;
    private transient Counter lateEvents;
    private transient Counter invalidEvents;
    private transient Counter expiredEntities;

    /**
     * @param cacheBytes heap for the read cache of entity states (see the class comment), 0 for none
     */
    EntityFeatureFunction(FeatureSpec spec, Duration stateTtl, long cacheBytes) {
        this.spec = spec;
        this.stateTtl = stateTtl;
        if (stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("features.state_ttl must be positive, was " + stateTtl);
        }
        this.expiry = new IdleExpiry(stateTtl);
        this.cacheEntries = FeatureFunction.cacheEntries(spec, cacheBytes);
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
        cache = new StateReadCache(cacheEntries);
        getRuntimeContext().getMetricGroup().gauge("featureStateCacheHits", () -> cache.hits());
        getRuntimeContext().getMetricGroup().gauge("featureStateCacheMisses", () -> cache.misses());
        newEntities = getRuntimeContext().getMetricGroup().counter("featureNewEntities");
        lateEvents = getRuntimeContext().getMetricGroup().counter("featureLateEvents");
        invalidEvents = getRuntimeContext().getMetricGroup().counter("featureInvalidEvents");
        expiredEntities = getRuntimeContext().getMetricGroup().counter("featureExpiredEntities");
    }

    @Override
    public void processElement(InputEvent e, Context ctx, Collector<O> out) throws Exception {
        String key = ctx.getCurrentKey();
        long now = ctx.timerService().currentProcessingTime();
        double[] held = cache.get(key);
        // a copy: the cache overwrites its arrays in place (StateReadCache#put), and a heap state backend keeps the
        // very array it is handed; not held, or idle for the TTL since its last write: keyed state (and Flink's TTL)
        // decide
        double[] stored = held != null && !expiry.idle(IdleExpiry.lastWrite(held), now) ? held.clone() : state.value();
        int slots = spec.stateSize();
        boolean timed = stored != null && IdleExpiry.hasLastWrite(stored, slots);
        double[] s = timed ? stored : IdleExpiry.withLastWriteSlot(stored == null ? engine.newState() : engine.adopt(stored));
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
        IdleExpiry.setLastWrite(s, now);
        if (!timed) {
            ctx.timerService().registerProcessingTimeTimer(expiry.deadline(now));
        }
        state.update(s);
        cache.put(key, s);
        out.collect(emit(e, features));
    }

    /**
     * The entity's expiry timer: an entity written within the TTL gets a timer for its new deadline; an idle one (its
     * state already expired, or due) is cleared and its key emitted on {@link FeatureFunction#EXPIRED}.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<O> out) throws Exception {
        double[] stored = state.value();
        long now = ctx.timerService().currentProcessingTime();
        if (stored != null && IdleExpiry.hasLastWrite(stored, spec.stateSize())
                && !expiry.idle(IdleExpiry.lastWrite(stored), now)) {
            ctx.timerService().registerProcessingTimeTimer(expiry.deadline(IdleExpiry.lastWrite(stored)));
            return;
        }
        state.clear();
        cache.forget(ctx.getCurrentKey());
        expiredEntities.inc();
        ctx.output(FeatureFunction.EXPIRED, ctx.getCurrentKey());
    }
}
