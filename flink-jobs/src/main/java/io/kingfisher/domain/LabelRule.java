package io.kingfisher.domain;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Which label labels which score, how long a score waits for it, and what waiting in vain means. A specification
 * only: the feedback join applies it. All times are event times: an event's time, and the label's time field.
 *
 * <ul>
 *   <li>{@link ByEventId}: each label names the event it labels (a chargeback names the transaction; a click names
 *       the impression). A score waits {@code window} after its event for its label.</li>
 *   <li>{@link ByEntityWithin}: a label is an outcome of the entity (a patient's ICU transfer) and labels every
 *       event of that entity in the {@code window} before it. A negative outcome (a discharge) settles the entity's
 *       waiting events as negatives at once; an event whose window passes without a positive outcome times out.</li>
 * </ul>
 */
public sealed interface LabelRule extends Serializable {

    /** What a score whose window passed without a label becomes. */
    enum OnTimeout {
        /** A negative example: the label's absence is the label (no chargeback, no click, no deterioration). */
        NEGATIVE,
        /** No example: the outcome is unknown, the score is not trained on. */
        UNLABELLED
    }

    /** @return how a label record says positive */
    LabelValue value();

    /** @return how long after an event its label may come (the attribution window, the horizon) */
    Duration window();

    /** @return what a score without a label after {@link #window()} becomes */
    OnTimeout onTimeout();

    /**
     * One label per event, naming it.
     *
     * @param idField the label field holding the labelled event's id (the event's {@code idField})
     */
    record ByEventId(String idField, LabelValue value, Duration window, OnTimeout onTimeout) implements LabelRule {
        public ByEventId {
            if (idField == null || idField.isBlank()) {
                throw new IllegalArgumentException("labels.rule.id_field: required for a by-event-id rule");
            }
            requireCommon(value, window, onTimeout);
        }

        @Override
        public String toString() {
            return "by event id (" + idField + "), " + value + ", within " + window + ", timeout: " + onTimeout;
        }
    }

    /**
     * Outcomes of the entity, labelling its events in the window before them. The label's entity is the labels'
     * key field ({@link Domain.Labels#keyField()}), which this rule requires.
     */
    record ByEntityWithin(LabelValue value, Duration window, OnTimeout onTimeout) implements LabelRule {
        public ByEntityWithin {
            requireCommon(value, window, onTimeout);
            if (value.kind() == LabelValue.Kind.PRESENCE) {
                throw new IllegalArgumentException("labels.value: a by-entity rule needs a value that can say negative"
                        + " (a flag or one-of field), or every outcome would be positive");
            }
        }

        @Override
        public String toString() {
            return "by entity, " + value + " within " + window + " after the event, timeout: " + onTimeout;
        }
    }

    private static void requireCommon(LabelValue value, Duration window, OnTimeout onTimeout) {
        Objects.requireNonNull(value, "labels.value");
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("labels.window: must be positive, was " + window);
        }
        if (onTimeout == null) {
            throw new IllegalArgumentException("labels.on_timeout: required (negative or unlabelled)");
        }
    }
}
