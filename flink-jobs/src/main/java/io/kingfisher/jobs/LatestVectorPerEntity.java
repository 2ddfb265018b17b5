package io.kingfisher.jobs;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.FeatureVector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Hands the {@code <domain>.features} sink each entity's latest vector once per checkpoint instead of one vector per
 * event.
 *
 * <p>The topic is a table: compacted, keyed by entity, and read by the online lookup for each entity's latest vector.
 * Its sink is exactly-once, so nothing it is handed becomes visible before the checkpoint that commits it, and of the
 * vectors of one entity handed to it within one checkpoint interval a reader of the committed topic can use only the
 * last. So this operator keeps the latest featured event of each entity and converts and emits them all just before
 * the checkpoint barrier, into the transaction that barrier commits, and at the end of the input. "Latest" is the
 * lookup's rule ({@code io.kingfisher.streams.features.LatestVectors}): the vector of the entity's latest event by
 * event time, so the vector of a late event does not replace a newer one held. The lookup gets the
 * same vector at the same commit as before, and each vector's {@code updated_at} is now the moment it was handed to
 * the sink; the sink serializes, compresses, sends and the broker appends one record per entity and interval rather
 * than one per event (see {@link FeatureVectors} for what a record costs).
 *
 * <p>Without checkpointing the sink would commit nothing, so the operator then passes every vector on at once (this
 * also keeps jobs and tests built without checkpoints unchanged). At most {@code maxEntities} entities are held; a
 * further one emits all held vectors first, which bounds the memory an interval of many distinct entities takes.
 * Emitted vectors keep their entity's order (there is one per entity); across entities they go in the order the
 * entities first came in the interval.
 */
public final class LatestVectorPerEntity extends AbstractStreamOperator<FeatureVector>
        implements OneInputStreamOperator<FeaturedEvent, FeatureVector>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Entities held at most by default: about 10 MB of 27-column vectors. */
    public static final int DEFAULT_MAX_ENTITIES = 50_000;

    private final FeatureVectors vectors;
    private final boolean collapse;
    private final int maxEntities;

    /** An entity's latest event with its record's timestamp (Flink may reuse the record object, not the event). */
    private record Held(FeaturedEvent event, boolean hasTimestamp, long timestamp) {
    }

    private transient Map<String, Held> latest;
    private transient StreamRecord<FeatureVector> reuse;
    private transient Counter superseded;

    /**
     * @param vectors     converts a featured event to its vector
     * @param collapse    whether to hold vectors until the next barrier (the job checkpoints) or pass them on at once
     * @param maxEntities the most entities held, at least 1
     */
    public LatestVectorPerEntity(FeatureVectors vectors, boolean collapse, int maxEntities) {
        if (maxEntities < 1) {
            throw new IllegalArgumentException("maxEntities must be at least 1, was " + maxEntities);
        }
        this.vectors = Objects.requireNonNull(vectors, "vectors");
        this.collapse = collapse;
        this.maxEntities = maxEntities;
    }

    @Override
    public void open() throws Exception {
        super.open();
        latest = new LinkedHashMap<>();
        reuse = new StreamRecord<>(null);
        superseded = getMetricGroup().counter("featureVectorsSuperseded");
    }

    @Override
    public void processElement(StreamRecord<FeaturedEvent> element) {
        Held h = new Held(element.getValue(), element.hasTimestamp(), element.getTimestamp());
        if (!collapse) {
            emit(h);
            return;
        }
        String entity = h.event().entity;
        if (latest.size() >= maxEntities && !latest.containsKey(entity)) {
            flush();
        }
        Held before = latest.put(entity, h); // one lookup per event; an entity's place in the order stays its first
        if (before != null) {
            superseded.inc();
            // the lookup's rule (LatestVectors): a late event's vector does not replace a newer event's
            if (h.event().eventTime < before.event().eventTime) {
                latest.put(entity, before);
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() {
        flush();
    }

    private void flush() {
        if (latest.isEmpty()) {
            return;
        }
        for (Held h : latest.values()) {
            emit(h);
        }
        latest.clear();
    }

    private void emit(Held h) {
        FeatureVector v = vectors.toVector(h.event(), System.currentTimeMillis());
        if (h.hasTimestamp()) {
            reuse.replace(v, h.timestamp());
        } else {
            reuse.replace(v);
            reuse.eraseTimestamp();
        }
        output.collect(reuse);
    }
}
