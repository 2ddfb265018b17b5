package io.kingfisher.features;

import java.time.Duration;

/**
 * An event that came later than the spec's allowed lateness, measured against the entity's latest accepted
 * event time. It is not folded into the state and gets no vector; the operator routes it to the dead-letter
 * topic with this message. Thrown per event, so it carries no stack trace.
 */
public final class LateEventException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String entity;
    private final long eventTime;
    private final long latestTime;
    private final long allowedMs;

    public LateEventException(String entity, long eventTime, long latestTime, long allowedMs) {
        super("event at " + eventTime + " of entity '" + entity + "' is " + Duration.ofMillis(latestTime - eventTime)
                + " behind the entity's latest event at " + latestTime + "; allowed lateness is " + Duration.ofMillis(allowedMs),
                null, false, false);
        this.entity = entity;
        this.eventTime = eventTime;
        this.latestTime = latestTime;
        this.allowedMs = allowedMs;
    }

    public String entity() {
        return entity;
    }

    /** The rejected event's time, epoch ms. */
    public long eventTime() {
        return eventTime;
    }

    /** The entity's latest accepted event time, epoch ms. */
    public long latestTime() {
        return latestTime;
    }

    /** How far behind the entity's latest event it was, ms (more than {@link #allowedMs()}). */
    public long lateByMs() {
        return latestTime - eventTime;
    }

    public long allowedMs() {
        return allowedMs;
    }
}
