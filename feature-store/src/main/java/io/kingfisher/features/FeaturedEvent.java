package io.kingfisher.features;

import java.util.Arrays;

/**
 * An event with its point-in-time feature vector: what was known about the entity when the event happened.
 * Flink POJO.
 *
 * <p>Between the stages of a spec with related entities ({@link FeatureStages}) it also carries the event's inputs
 * ({@code numbers}, {@code texts}: the related stages key by and read them) and the related entities' vectors
 * attached so far ({@code related}); the last stage fills the lookup columns and sets all three to null, so what
 * leaves the feature stages is the same as without related entities.
 */
public class FeaturedEvent {
    public String eventId;
    public String entity;
    public long eventTime;
    public long ingestTime;
    public int partition;
    public long offset;
    public float[] features;
    /** The event's numeric inputs, between feature stages only (else null). */
    public double[] numbers;
    /** The event's text inputs, between feature stages only (else null). */
    public String[] texts;
    /** The related entities' vectors attached so far, between feature stages only (else null). */
    public float[] related;

    public FeaturedEvent() {
    }

    public FeaturedEvent(InputEvent in, float[] features) {
        this.eventId = in.eventId;
        this.entity = in.entity;
        this.eventTime = in.eventTime;
        this.ingestTime = in.ingestTime;
        this.partition = in.partition;
        this.offset = in.offset;
        this.features = features;
    }

    /** The event as the next feature stage reads it (its inputs, no copy). */
    public InputEvent input() {
        InputEvent in = new InputEvent(eventId, entity, eventTime, ingestTime, numbers, texts);
        in.partition = partition;
        in.offset = offset;
        return in;
    }

    @Override
    public String toString() {
        return "FeaturedEvent{" + eventId + ", entity=" + entity + ", t=" + eventTime + ", features=" + Arrays.toString(features) + "}";
    }
}
