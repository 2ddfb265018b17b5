package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeatureStages;
import io.kingfisher.features.InputEvent;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Keyed by a related entity's key (the merchant of a payment, the item of an impression): attaches the entity's vector
 * as of the event to the event ({@link FeatureStages#relate}), folds the event into the entity's state and passes the
 * event on. All arithmetic is in {@link FeatureStages}; this class owns the state, one {@code double[]} per related
 * entity, in keyed state with the same TTL as the primary entity's.
 *
 * <p><b>Write-behind.</b> Related entities are few and each is hit by many events (a merchant by every card that pays
 * there), so reading and writing RocksDB for every event cost more than all the rest of the stage. The operator keeps
 * the states it touched since the last checkpoint on the heap and writes the changed ones to keyed state before each
 * checkpoint barrier ({@link #prepareSnapshotPreBarrier}), so a checkpoint holds exactly what the events before the
 * barrier left; it also writes them back when it holds {@code cacheEntries} states, after {@link #MAX_CACHE_AGE_MS}
 * without a checkpoint, and at the end of input. A restore starts with nothing cached. The TTL counts from the write
 * back (at most a checkpoint interval after the event); a cached state is at most that old, so it is never past the
 * TTL of days.
 *
 * <p>Nothing is rejected here: an event that names no entity (key {@code ""}, see {@link #keySelector}) or is later
 * than the allowed lateness for this entity gets zeros for it and is counted ({@code featureRelatedMissingKey},
 * {@code featureRelatedLate}); the primary stage accepted it and it is still scored.
 *
 * <p><b>Labels.</b> For a related entity with label features ({@link io.kingfisher.features.RelatedEntity#withLabels})
 * the operator has a second input, the labels ({@link InputEvent}s over the labels' layout, keyed by
 * {@link #labelKeySelector}), which fold into a second state per entity (held and written back like the first); events
 * read it as of their time. A label that names no entity or is late for it is counted
 * ({@code featureRelatedLabelsMissingKey}, {@code featureRelatedLabelsLate}) and dropped here: the feedback join, not
 * this stage, is what must not lose labels.
 */
public class RelatedFeatureOperator extends AbstractStreamOperator<StagedEvent>
        implements OneInputStreamOperator<StagedEvent, StagedEvent>, TwoInputStreamOperator<StagedEvent, InputEvent, StagedEvent> {
    private static final long serialVersionUID = 1L;

    /** States held on the heap between write-backs, at most. */
    public static final int DEFAULT_CACHE_ENTRIES = 10_000;
    /** Longest a state is held on the heap without a checkpoint (a job without checkpoints, a long interval). */
    public static final long MAX_CACHE_AGE_MS = 10_000;

    private final FeatureSpec spec;
    private final int stage;
    private final Duration stateTtl;
    private final int cacheEntries;

    private transient FeatureStages stages;
    private transient ValueState<double[]> state;
    /** The label features' state, or null when the entity has none. */
    private transient ValueState<double[]> labelState;
    private transient Map<String, Cached> cache;
    private transient long cachedSince;
    private transient Counter newEntities;
    private transient Counter late;
    private transient Counter missingKey;
    private transient Counter labelsLate;
    private transient Counter labelsMissingKey;

    /** A related entity's states as read (or created), and whether an event or a label changed them since. */
    private static final class Cached {
        final double[] state;
        boolean fresh;
        boolean dirty;
        /** The label features' state: null when the entity has none, or until a label names it. */
        double[] labels;
        boolean labelsDirty;

        Cached(double[] state, boolean fresh, double[] labels) {
            this.state = state;
            this.fresh = fresh;
            this.labels = labels;
        }
    }

    /**
     * @param spec     the primary spec
     * @param stage    which of {@link FeatureSpec#related()} this stage computes
     * @param stateTtl how long an idle related entity's state is kept
     */
    public RelatedFeatureOperator(FeatureSpec spec, int stage, Duration stateTtl) {
        this(spec, stage, stateTtl, DEFAULT_CACHE_ENTRIES);
    }

    public RelatedFeatureOperator(FeatureSpec spec, int stage, Duration stateTtl, int cacheEntries) {
        if (stage < 0 || stage >= spec.related().size()) {
            throw new IllegalArgumentException("no related stage " + stage + " in " + spec);
        }
        if (stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("features.state_ttl must be positive, was " + stateTtl);
        }
        if (cacheEntries < 1) {
            throw new IllegalArgumentException("the related stage must hold at least one state, was " + cacheEntries);
        }
        this.spec = spec;
        this.stage = stage;
        this.stateTtl = stateTtl;
        this.cacheEntries = cacheEntries;
    }

    /** The key of the stage's label input: the related entity's key in the label, or {@code ""} when it names none. */
    public static KeySelector<InputEvent, String> labelKeySelector(FeatureSpec spec, int stage) {
        if (spec.relatedLabelSpec(stage) == null) {
            throw new IllegalArgumentException("related entity '" + spec.related().get(stage).name() + "' has no label features");
        }
        FeatureStages stages = new FeatureStages(spec);
        return l -> {
            String key = stages.labelKey(stage, l.texts);
            return key == null ? "" : key;
        };
    }

    /** The stage's key: the related entity's key, or {@code ""} when the event names none. */
    public static KeySelector<StagedEvent, String> keySelector(FeatureSpec spec, int stage) {
        FeatureStages stages = new FeatureStages(spec);
        return e -> {
            String key = stages.relatedKey(stage, e.texts);
            return key == null ? "" : key;
        };
    }

    @Override
    public void open() throws Exception {
        super.open();
        stages = new FeatureStages(spec);
        ValueStateDescriptor<double[]> desc = new ValueStateDescriptor<>(FeatureFunction.stateName(spec.relatedSpec(stage)),
                CompactDoubleArraySerializer.INSTANCE);
        desc.enableTimeToLive(FeatureFunction.ttl(stateTtl));
        state = getKeyedStateStore().getState(desc);
        if (spec.relatedLabelSpec(stage) != null) {
            ValueStateDescriptor<double[]> labels = new ValueStateDescriptor<>(
                    FeatureFunction.stateName(spec.relatedLabelSpec(stage)).replaceFirst("^features-", "features-labels-"),
                    CompactDoubleArraySerializer.INSTANCE);
            labels.enableTimeToLive(FeatureFunction.ttl(stateTtl));
            labelState = getKeyedStateStore().getState(labels);
        }
        cache = new HashMap<>();
        newEntities = getMetricGroup().counter("featureRelatedNewEntities");
        late = getMetricGroup().counter("featureRelatedLate");
        missingKey = getMetricGroup().counter("featureRelatedMissingKey");
        labelsLate = getMetricGroup().counter("featureRelatedLabelsLate");
        labelsMissingKey = getMetricGroup().counter("featureRelatedLabelsMissingKey");
    }

    @Override
    public void processElement1(StreamRecord<StagedEvent> record) throws Exception {
        processElement(record);
    }

    /** A label: folded into the label state of the entity it names; nothing is emitted. */
    @Override
    public void processElement2(StreamRecord<InputEvent> record) throws Exception {
        if (labelState == null) {
            throw new IllegalStateException("related entity '" + spec.related().get(stage).name() + "' has no label features: "
                    + "its stage takes no labels");
        }
        String key = (String) getCurrentKey();
        if (key.isEmpty()) {
            labelsMissingKey.inc();
            return;
        }
        Cached entity = cached(key);
        boolean fresh = entity.labels == null;
        double[] labels = fresh ? stages.labels(stage).newState() : entity.labels;
        if (stages.foldLabel(stage, labels, record.getValue()) == FeatureStages.Outcome.LATE) {
            labelsLate.inc();
            return;
        }
        entity.labels = labels;
        entity.labelsDirty = true;
    }

    @Override
    public void processElement(StreamRecord<StagedEvent> record) throws Exception {
        StagedEvent e = record.getValue();
        String key = (String) getCurrentKey();
        if (key.isEmpty()) {
            stages.relate(stage, null, e.input(), e.related);
            missingKey.inc();
            output.collect(record);
            return;
        }
        Cached entity = cached(key);
        switch (stages.relate(stage, entity.state, entity.labels, e.input(), e.related)) {
            case ACCEPTED -> {
                if (entity.fresh) {
                    newEntities.inc();
                    entity.fresh = false;
                }
                entity.dirty = true;
            }
            case LATE -> late.inc();
            case NO_KEY -> throw new IllegalStateException("unreachable: the stage holds a state");
        }
        output.collect(record);
    }

    /** The entity's states, from the cache or read into it (writing the cache back first when it is full or old). */
    private Cached cached(String key) throws Exception {
        Cached entity = cache.get(key);
        if (entity == null) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            if (cache.size() >= cacheEntries || (!cache.isEmpty() && now - cachedSince > MAX_CACHE_AGE_MS)) {
                writeBack();
                setCurrentKey(key);
            }
            if (cache.isEmpty()) {
                cachedSince = now;
            }
            double[] stored = state.value();
            double[] labels = labelState == null ? null : labelState.value();
            entity = new Cached(stored == null ? stages.related(stage).newState() : stages.related(stage).adopt(stored), stored == null,
                    labels == null ? null : stages.labels(stage).adopt(labels));
            cache.put(key, entity);
        }
        return entity;
    }

    /** Writes the changed states to keyed state and forgets them all (the current key changes). */
    private void writeBack() throws Exception {
        for (Map.Entry<String, Cached> c : cache.entrySet()) {
            Cached entity = c.getValue();
            if (entity.dirty || entity.labelsDirty) {
                setCurrentKey(c.getKey());
            }
            if (entity.dirty) {
                state.update(entity.state);
            }
            if (entity.labelsDirty) {
                labelState.update(entity.labels);
            }
        }
        cache.clear();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        writeBack();
    }

    @Override
    public void finish() throws Exception {
        writeBack();
        super.finish();
    }
}
