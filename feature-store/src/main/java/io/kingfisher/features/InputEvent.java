package io.kingfisher.features;

import java.util.Arrays;

/**
 * A decoded, validated event reduced to what the features read: its identity, times and the input fields
 * named by the {@link FeatureSpec} ({@code numbers} in the order of {@link FeatureSpec#numericInputs()}, NaN for
 * a missing value; {@code texts} in the order of {@link FeatureSpec#textInputs()}, null when missing).
 * A Flink POJO: public fields and a no-argument constructor.
 */
public class InputEvent {
    public String eventId;
    public String entity;
    /** Event time, epoch ms. */
    public long eventTime;
    /** Timestamp of the source Kafka record, epoch ms. */
    public long ingestTime;
    public int partition;
    public long offset;
    public double[] numbers;
    public String[] texts;

    public InputEvent() {
    }

    public InputEvent(String eventId, String entity, long eventTime, long ingestTime, double[] numbers, String[] texts) {
        this.eventId = eventId;
        this.entity = entity;
        this.eventTime = eventTime;
        this.ingestTime = ingestTime;
        this.numbers = numbers;
        this.texts = texts;
    }

    @Override
    public String toString() {
        return "InputEvent{" + eventId + ", entity=" + entity + ", t=" + eventTime + ", numbers=" + Arrays.toString(numbers)
                + ", texts=" + Arrays.toString(texts) + "}";
    }
}
