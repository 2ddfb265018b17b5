package io.kingfisher.outputs;

import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.AlertState;
import io.kingfisher.schemas.core.Reason;
import io.kingfisher.schemas.core.Score;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One subtask's alerting, without Flink: the {@link AlertRule}'s decision on each score, the {@link Alert} it makes,
 * and the feature statistics behind a raised alert's reasons ({@link FeatureStats}, per subtask, not checkpointed).
 * Where an entity's open alert is kept is the caller's business (keyed state in {@link AlertFunction}; nowhere in
 * {@link EventAlertFunction}, whose rule has no hysteresis).
 *
 * <p>A RAISED alert's id is {@code <domain>:<event id>} of the score that raised it (the same on a replay), its
 * threshold the alert threshold, its reasons the event's most unusual features (up to {@value #REASONS}). With
 * hysteresis the CLEARED alert that closes it carries the same id, the clearing score's event and the clear
 * threshold, and no reasons.
 */
public final class Alerting {
    /** Most reasons an alert gives. */
    public static final int REASONS = 3;

    private final Spec spec;
    private final FeatureStats stats;

    /**
     * What an alerting function is built with, checked when the job is built; each subtask makes its own
     * {@link Alerting} of it when it opens.
     *
     * @param domain       the domain, for the alert's fields and ids
     * @param rule         when to raise and clear
     * @param featureNames the names of the scored features, in vector order
     */
    public record Spec(String domain, AlertRule rule, List<String> featureNames) implements Serializable {
        public Spec {
            if (featureNames == null || featureNames.isEmpty()) {
                throw new IllegalArgumentException("featureNames must name the scored features");
            }
            featureNames = List.copyOf(featureNames);
        }

        /** @return a fresh alerting of this spec, with empty feature statistics */
        public Alerting create() {
            return new Alerting(this);
        }
    }

    private Alerting(Spec spec) {
        this.spec = spec;
        this.stats = new FeatureStats(spec.featureNames().size());
    }

    /**
     * Decides on one score, then adds its features to the statistics.
     *
     * @param openId the id of the entity's open alert, or null while it has none (always null without hysteresis)
     * @return the alert the score raises (state RAISED) or clears (CLEARED, with {@code openId}), or null
     */
    public Alert onScore(Score s, String openId) {
        AlertRule rule = spec.rule();
        Alert a = switch (rule.decide(openId != null, s.getScore())) {
            case RAISE -> alert(s, spec.domain() + ":" + s.getEventId(), AlertState.RAISED, rule.alertThreshold(),
                    reasons(stats.reasons(s.getFeatures(), spec.featureNames(), REASONS)));
            case CLEAR -> alert(s, openId, AlertState.CLEARED, rule.clearThreshold(), List.of());
            case NONE -> null;
        };
        stats.observe(s.getFeatures());
        return a;
    }

    private Alert alert(Score s, String id, AlertState state, double threshold, List<Reason> reasons) {
        return Alert.newBuilder()
                .setAlertId(id)
                .setDomain(spec.domain())
                .setEntity(s.getEntity())
                .setEventId(s.getEventId())
                .setEventTime(s.getEventTime())
                .setScore(s.getScore())
                .setThreshold(threshold)
                .setModelVersion(s.getModelVersion())
                .setState(state)
                .setReasons(reasons)
                .build();
    }

    private static List<Reason> reasons(List<FeatureStats.Reason> found) {
        List<Reason> out = new ArrayList<>(found.size());
        for (FeatureStats.Reason r : found) {
            out.add(new Reason(r.feature(), r.value(), r.z()));
        }
        return out;
    }
}
