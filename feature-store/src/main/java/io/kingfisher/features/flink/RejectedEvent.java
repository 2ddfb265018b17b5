package io.kingfisher.features.flink;

import io.kingfisher.features.InputEvent;

/**
 * An event the feature operator did not fold into state and emitted no vector for, with why: the payload of
 * {@link FeatureFunction#REJECTED}, meant for the dead-letter topic. A Flink POJO.
 */
public class RejectedEvent {
    /** Why an event was rejected. */
    public enum Reason {
        /** Later than the spec's allowed lateness behind the entity's latest event. */
        LATE,
        /** A numeric input is not finite. */
        INVALID
    }

    public InputEvent event;
    public Reason reason;
    /** Human-readable reason, naming the entity and how late, or the field. */
    public String message;
    /** How far behind the entity's latest event it was, ms; 0 unless {@link Reason#LATE}. */
    public long lateByMs;

    public RejectedEvent() {
    }

    public RejectedEvent(InputEvent event, Reason reason, String message, long lateByMs) {
        this.event = event;
        this.reason = reason;
        this.message = message;
        this.lateByMs = lateByMs;
    }

    @Override
    public String toString() {
        return "RejectedEvent{" + reason + ", " + message + ", " + event + "}";
    }
}
