package io.kingfisher.jobs;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.FeatureVector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Hands the {@code <domain>.features} sink each entity's latest vector once per checkpoint interval, without holding
 * them all for the checkpoint barrier.
 *
 * <p>The topic is a table: compacted, keyed by entity, and read by the online lookup for each entity's latest vector.
 * Its sink is exactly-once, so nothing it is handed becomes visible before the checkpoint that commits it, and of the
 * vectors of one entity handed to it within one checkpoint interval a reader of the committed topic can use only the
 * last. "Latest" is the lookup's rule ({@code io.kingfisher.streams.features.LatestVectors}): the vector of the
 * entity's latest event by event time, so the vector of a late event does not replace a newer one.
 *
 * <p><b>First now, the rest at the barrier.</b> An entity's first vector in an interval goes to the sink at once; a
 * later one of the same entity is held, replacing any held before it, and the held vectors go just before the
 * checkpoint barrier, into the transaction that barrier commits (and at the end of the input). The committed topic
 * gets the same last vector per entity as if every vector had been held. Holding them all made the barrier a burst:
 * most fraud cards pay once in a half-second interval, so the merchant stage's thread serialized and sent some
 * 8,000 vectors at each barrier at 20,000 events/s, two thirds of its time, while the events behind the barrier
 * waited. Now the burst is only the entities that came more than once in the interval. The sink gets at most one
 * record per event (fraud, whose entities rarely repeat) and at most two per entity and interval (a ward whose
 * patients are observed again and again); see {@link FeatureVectors} for what a record costs.
 *
 * <p>Without checkpointing the sink would commit nothing, so the operator then passes every vector on at once (this
 * also keeps jobs and tests built without checkpoints unchanged). At most {@code maxEntities} entities are
 * remembered per interval; a further one emits all held vectors first and starts afresh, which bounds the memory an
 * interval of many distinct entities takes. An entity's vectors go in the order of its events (at most two per
 * interval: its first, then its latest).
 */
public final class LatestVectorPerEntity extends AbstractStreamOperator<FeatureVector>
        implements OneInputStreamOperator<FeaturedEvent, FeatureVector>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Entities remembered per interval at most by default: held vectors of 27 columns take up to about 10 MB. */
    public static final int DEFAULT_MAX_ENTITIES = 50_000;

    private final FeatureVectors vectors;
    private final boolean collapse;
    private final int maxEntities;

    /**
     * An entity's latest event in the interval with its record's timestamp (Flink may reuse the record object, not
     * the event); {@code event} is null when that latest one already went to the sink (the entity's first).
     */
    private record Held(FeaturedEvent event, long eventTime, boolean hasTimestamp, long timestamp) {
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
        latest = new HashMap<>();
        reuse = new StreamRecord<>(null);
        superseded = getMetricGroup().counter("featureVectorsSuperseded");
    }

    @Override
    public void processElement(StreamRecord<FeaturedEvent> element) {
        FeaturedEvent e = element.getValue();
        if (!collapse) {
            emit(e, element.hasTimestamp(), element.getTimestamp());
            return;
        }
        Held before = latest.get(e.entity);
        if (before == null) {
            if (latest.size() >= maxEntities) {
                flush();
            }
            emit(e, element.hasTimestamp(), element.getTimestamp());
            latest.put(e.entity, new Held(null, e.eventTime, element.hasTimestamp(), element.getTimestamp()));
            return;
        }
        // the lookup's rule (LatestVectors): a late event's vector does not replace a newer event's
        if (e.eventTime >= before.eventTime()) {
            if (before.event() != null) {
                superseded.inc(); // the held vector never goes out
            }
            latest.put(e.entity, new Held(e, e.eventTime, element.hasTimestamp(), element.getTimestamp()));
        } else {
            superseded.inc();
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
            if (h.event() != null) {
                emit(h.event(), h.hasTimestamp(), h.timestamp());
            }
        }
        latest.clear();
    }

    private void emit(FeaturedEvent e, boolean hasTimestamp, long timestamp) {
        FeatureVector v = vectors.toVector(e, System.currentTimeMillis());
        if (hasTimestamp) {
            reuse.replace(v, timestamp);
        } else {
            reuse.replace(v);
            reuse.eraseTimestamp();
        }
        output.collect(reuse);
    }
}
