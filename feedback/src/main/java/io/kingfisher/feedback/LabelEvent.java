package io.kingfisher.feedback;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A label as the feedback join reads it, whatever the domain's label record looks like. A Flink POJO.
 */
public class LabelEvent implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The labelled event's id ({@link JoinRule.Mode#BY_EVENT_ID}) or the entity ({@link JoinRule.Mode#BY_ENTITY_WITHIN}). */
    public String joinKey;
    /** Event time of the label (when the outcome happened), epoch ms. */
    public long labelTime;
    /** Whether the label says positive (fraud, click, deterioration). */
    public boolean positive;
    /** Timestamp of the label's Kafka record (when the label arrived), epoch ms. */
    public long ingestTime;
    /** Partition of the label's Kafka record, or -1 when it did not come from Kafka. */
    public int partition = -1;
    /** Offset of the label's Kafka record, or -1 when it did not come from Kafka. */
    public long offset = -1;

    public LabelEvent() {
    }

    public LabelEvent(String joinKey, long labelTime, boolean positive, long ingestTime) {
        this.joinKey = joinKey;
        this.labelTime = labelTime;
        this.positive = positive;
        this.ingestTime = ingestTime;
    }

    /** @return this label, recording the Kafka position it was read from */
    public LabelEvent at(int partition, long offset) {
        this.partition = partition;
        this.offset = offset;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LabelEvent l)) {
            return false;
        }
        return labelTime == l.labelTime && positive == l.positive && ingestTime == l.ingestTime && partition == l.partition
                && offset == l.offset && Objects.equals(joinKey, l.joinKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(joinKey, labelTime, positive, ingestTime, partition, offset);
    }

    @Override
    public String toString() {
        return "LabelEvent{" + joinKey + ", " + (positive ? "positive" : "negative") + " at " + Instant.ofEpochMilli(labelTime)
                + ", ingested " + Instant.ofEpochMilli(ingestTime) + "}";
    }
}
