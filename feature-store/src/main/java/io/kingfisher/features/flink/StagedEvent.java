package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * An event between the feature stages of a spec with related entities ({@link FeaturePipeline}): its identity, the
 * vector so far (the primary entity's columns; the lookups come last), its inputs (the related stages key by and read
 * them) and the related entities' vectors attached so far ({@link io.kingfisher.features.FeatureStages}). It has a
 * serializer of its own ({@link #TYPE}): it crosses a shuffle or an operator chain once per related entity, and
 * Flink's reflective POJO copy of it cost more than a related stage's arithmetic. Never kept in state.
 */
public final class StagedEvent {
    /** Its type, with its hand-written serializer. */
    public static final TypeInformation<StagedEvent> TYPE = new EventSerializer.Info<>(StagedEvent.class, StagedEventSerializer.INSTANCE);

    public String eventId;
    public String entity;
    public long eventTime;
    public long ingestTime;
    public int partition;
    public long offset;
    /** The primary vector, lookup columns still 0 until the last step. */
    public float[] features;
    public double[] numbers;
    public String[] texts;
    /** The related entities' vectors attached so far, each at its {@link FeatureSpec#relatedOffset}. */
    public float[] related;

    public StagedEvent() {
    }

    /** The primary stage's output: the event's primary columns, its inputs, nothing related yet. */
    public StagedEvent(InputEvent in, float[] features, FeatureSpec spec) {
        this.eventId = in.eventId;
        this.entity = in.entity;
        this.eventTime = in.eventTime;
        this.ingestTime = in.ingestTime;
        this.partition = in.partition;
        this.offset = in.offset;
        this.features = features;
        this.numbers = in.numbers;
        this.texts = in.texts;
        this.related = new float[spec.relatedWidth()];
    }

    /** The event as a related stage reads it (its inputs, no copy). */
    public InputEvent input() {
        InputEvent in = new InputEvent(eventId, entity, eventTime, ingestTime, numbers, texts);
        in.partition = partition;
        in.offset = offset;
        return in;
    }

    /** What leaves the stages: the event and its vector (which the caller has finished). */
    public FeaturedEvent featured() {
        FeaturedEvent f = new FeaturedEvent();
        f.eventId = eventId;
        f.entity = entity;
        f.eventTime = eventTime;
        f.ingestTime = ingestTime;
        f.partition = partition;
        f.offset = offset;
        f.features = features;
        return f;
    }

    @Override
    public String toString() {
        return "StagedEvent{" + eventId + ", entity=" + entity + ", t=" + eventTime + "}";
    }
}
