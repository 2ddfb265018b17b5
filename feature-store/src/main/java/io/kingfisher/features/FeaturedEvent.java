package io.kingfisher.features;

import java.util.Arrays;

/**
 * An event with its point-in-time feature vector: what was known about the entity when the event happened.
 * Flink POJO.
 */
public class FeaturedEvent {
    public String eventId;
    public String entity;
    public long eventTime;
    public long ingestTime;
    public int partition;
    public long offset;
    public float[] features;

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

    @Override
    public String toString() {
        return "FeaturedEvent{" + eventId + ", entity=" + entity + ", t=" + eventTime + ", features=" + Arrays.toString(features) + "}";
    }
}
