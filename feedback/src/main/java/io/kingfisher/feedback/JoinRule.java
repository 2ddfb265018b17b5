package io.kingfisher.feedback;

import io.kingfisher.schemas.core.Score;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the feedback join pairs scores with labels, how long a score waits, and what waiting in vain means. The
 * job maps the domain's label rule onto it. All times are event times: the score's {@code event_time} and the
 * label's {@link LabelEvent#labelTime}.
 *
 * @param mode                     which labels label which scores
 * @param window                   how long after its event a score waits for a label (positive)
 * @param onTimeout                what a score whose window closes without a label becomes
 * @param provisionalNegativeAfter if set (positive, shorter than the window, only with {@link OnTimeout#NEGATIVE}):
 *                                 a score still without a label this long after its event is emitted at once as a
 *                                 negative with label source {@code provisional}; a positive label later in the
 *                                 window emits a {@code correction}; nothing more is emitted when the window closes
 * @param lateLabels               what a label for a score that was already settled does
 */
public record JoinRule(Mode mode, Duration window, OnTimeout onTimeout, Duration provisionalNegativeAfter,
                       LateLabels lateLabels) implements Serializable {

    /**
     * @return how long after its event a score without a label becomes a negative example: the provisional delay
     *     if there is one, else the window
     */
    public Duration negativeAfter() {
        return provisionalNegativeAfter != null ? provisionalNegativeAfter : window;
    }

    /** Which labels label which scores. */
    public enum Mode {
        /**
         * Each label names the event it labels ({@link LabelEvent#joinKey} is the event id): a chargeback names
         * its transaction, a click its impression.
         */
        BY_EVENT_ID,
        /**
         * A label is an outcome of the entity ({@link LabelEvent#joinKey} is the entity) at its time {@code t}: a
         * positive outcome labels every score of the entity with its event in {@code [t - window, t]} positive; a
         * negative outcome (a discharge) settles the entity's waiting scores with their event in
         * {@code [t - window, t]} as negatives at once.
         */
        BY_ENTITY_WITHIN
    }

    /** What a score whose window closed without a label becomes. */
    public enum OnTimeout {
        /** A negative example with label source {@code timeout}: the absence of the label is the label. */
        NEGATIVE,
        /** No example: the outcome is unknown and the score is not trained on (counted). */
        UNLABELLED
    }

    /** What a label does that comes for a score the join already settled (its window had closed, or another label settled it). */
    public enum LateLabels {
        /**
         * If it would have settled the score first (the score timed out, or it is older than the label that
         * settled it) and says the opposite of the example emitted, emit one {@code correction} example; otherwise
         * it goes to the side output.
         */
        CORRECT,
        /** Change nothing: count it and send it to the side output with the reason. */
        DROP
    }

    public JoinRule {
        if (mode == null) {
            throw new IllegalArgumentException("JoinRule.mode: required (BY_EVENT_ID or BY_ENTITY_WITHIN)");
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("JoinRule.window: must be positive, was " + window);
        }
        if (onTimeout == null) {
            throw new IllegalArgumentException("JoinRule.onTimeout: required (NEGATIVE or UNLABELLED)");
        }
        if (provisionalNegativeAfter != null) {
            if (provisionalNegativeAfter.isNegative() || provisionalNegativeAfter.isZero()
                    || provisionalNegativeAfter.compareTo(window) >= 0) {
                throw new IllegalArgumentException("JoinRule.provisionalNegativeAfter: must be positive and shorter than"
                        + " the window (" + window + "), was " + provisionalNegativeAfter);
            }
            if (onTimeout != OnTimeout.NEGATIVE) {
                throw new IllegalArgumentException("JoinRule.provisionalNegativeAfter: needs onTimeout NEGATIVE; with "
                        + onTimeout + " a score without a label is not a negative, so it cannot be one provisionally");
            }
        }
        if (lateLabels == null) {
            throw new IllegalArgumentException("JoinRule.lateLabels: required (CORRECT or DROP)");
        }
    }

    /** A by-event-id rule without provisional negatives. */
    public static JoinRule byEventId(Duration window, OnTimeout onTimeout, LateLabels lateLabels) {
        return new JoinRule(Mode.BY_EVENT_ID, window, onTimeout, null, lateLabels);
    }

    /** A by-entity rule without provisional negatives. */
    public static JoinRule byEntityWithin(Duration window, OnTimeout onTimeout, LateLabels lateLabels) {
        return new JoinRule(Mode.BY_ENTITY_WITHIN, window, onTimeout, null, lateLabels);
    }

    /** @return this rule emitting provisional negatives after {@code delay} */
    public JoinRule withProvisionalNegativeAfter(Duration delay) {
        return new JoinRule(mode, window, onTimeout, delay, lateLabels);
    }

    /** @return the join key of a score under this rule: its event id, or its entity */
    public String keyOf(Score score) {
        return mode == Mode.BY_EVENT_ID ? score.getEventId() : score.getEntity();
    }

    @Override
    public String toString() {
        return (mode == Mode.BY_EVENT_ID ? "by event id" : "by entity") + " within " + window + ", timeout: " + onTimeout
                + (provisionalNegativeAfter == null ? "" : ", provisional negative after " + provisionalNegativeAfter)
                + ", late labels: " + lateLabels;
    }
}
