package io.kingfisher.outputs;

import io.kingfisher.domain.Domain;

import java.io.Serializable;

/**
 * When a score raises or clears an entity's alert, from a domain's {@link Domain.Outputs} thresholds.
 *
 * <p><b>With hysteresis</b> ({@code clear < alert}) an entity is either quiet or in alert: a score at or above
 * {@code alert} raises an alert for a quiet entity; the alert stays open through every later score until one falls
 * below {@code clear}, which clears it. Scores between the two thresholds change nothing, so a score wobbling around
 * the alert threshold raises one alert, not one per wobble. The only state is whether the entity is in alert.
 *
 * <p><b>Without hysteresis</b> ({@code clear == alert}) every score at or above {@code alert} is an alert of its own
 * and nothing is ever cleared: each event is its own decision (a payment is fraudulent or not), and no state is kept.
 *
 * <p>A NaN score changes nothing. Plain Java, immutable.
 */
public final class AlertRule implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What one score does. */
    public enum Action {
        /** Nothing to write. */
        NONE,
        /** Write a RAISED alert; with hysteresis the entity is now in alert. */
        RAISE,
        /** Write a CLEARED alert closing the open one; the entity is quiet again. */
        CLEAR
    }

    private final double alertThreshold;
    private final double clearThreshold;

    /**
     * @param alertThreshold a score at or above this raises an alert, in (0, 1)
     * @param clearThreshold with hysteresis, a score below this clears it; in (0, alertThreshold]
     */
    public AlertRule(double alertThreshold, double clearThreshold) {
        if (!(alertThreshold > 0 && alertThreshold < 1)) {
            throw new IllegalArgumentException("outputs.alert_threshold must be in (0, 1), was " + alertThreshold);
        }
        if (!(clearThreshold > 0 && clearThreshold <= alertThreshold)) {
            throw new IllegalArgumentException("outputs.clear_threshold must be in (0, alert_threshold = " + alertThreshold
                    + "], was " + clearThreshold);
        }
        this.alertThreshold = alertThreshold;
        this.clearThreshold = clearThreshold;
    }

    /** The domain's thresholds. */
    public static AlertRule of(Domain.Outputs outputs) {
        return new AlertRule(outputs.alertThreshold(), outputs.clearThreshold());
    }

    /** @return whether the rule keeps per-entity state (clears below a lower threshold than it raises at) */
    public boolean hysteresis() {
        return clearThreshold < alertThreshold;
    }

    public double alertThreshold() {
        return alertThreshold;
    }

    public double clearThreshold() {
        return clearThreshold;
    }

    /**
     * @param inAlert whether the entity has an open alert (always false without hysteresis)
     * @param score   the entity's newest score
     * @return what the score does
     */
    public Action decide(boolean inAlert, double score) {
        if (Double.isNaN(score)) {
            return Action.NONE;
        }
        if (!hysteresis() || !inAlert) {
            return score >= alertThreshold ? Action.RAISE : Action.NONE;
        }
        return score < clearThreshold ? Action.CLEAR : Action.NONE;
    }

    @Override
    public String toString() {
        return hysteresis() ? "raise at >= " + alertThreshold + ", clear below " + clearThreshold
                : "alert at >= " + alertThreshold + " (each score on its own)";
    }
}
