package io.kingfisher.trainer.online;

import java.io.Serializable;
import java.util.List;

/**
 * How the online learner fine-tunes, publishes and protects the served model. Validated on construction; each
 * message names the setting's key (the job exposes them as {@code learning.*}).
 *
 * @param batchSize            examples per mini-batch step ({@code learning.batch_size}); each member scores the batch
 *                             (test) and then takes one optimiser step on it (train)
 * @param window               examples in the prequential windows that the gate, the rollback check and tuning compare
 *                             ({@code learning.window})
 * @param publishEveryExamples a candidate is put to the gate after this many examples ({@code learning.publish_every})
 * @param publishEveryMillis   ... or this long after the last one, whichever comes first ({@code learning.publish_interval})
 * @param minExamplesToPublish and only once it has trained on at least this many new examples
 *                             ({@code learning.min_new_examples})
 * @param population           candidate configurations trained side by side ({@code learning.population}); 1 = no tuning
 * @param learningRateScale    the online base learning rate as a fraction of the warm start's: fine-tuning takes
 *                             smaller steps than training from scratch ({@code learning.lr_scale})
 * @param learningRateSpread   the members' learning rates span the base rate divided and multiplied by this
 *                             ({@code learning.lr_spread})
 * @param tuneEveryExamples    examples between tuning steps (drop the worst member, clone and perturb the best)
 *                             ({@code learning.tune_every})
 * @param gateLossMargin       a candidate's windowed log loss may exceed the champion's by at most this fraction
 *                             ({@code learning.gate.loss_margin})
 * @param gateAucMargin        its windowed AUC may trail the champion's by at most this ({@code learning.gate.auc_margin})
 * @param goldenAucMargin      its AUC on the golden set may trail the champion's, and the warm start's, by at most this
 *                             ({@code learning.gate.golden_margin})
 * @param gateMinExamples      fewest windowed examples for a decision ({@code learning.gate.min_examples})
 * @param gateMinPositives     fewest positives among them ({@code learning.gate.min_positives})
 * @param rollbackMinExamples  examples served by a new version before it is judged ({@code learning.rollback.min_examples})
 * @param rollbackLossMargin   a new version whose live log loss exceeds its parent's (scored in shadow on the same
 *                             examples) by more than this fraction is rolled back ({@code learning.rollback.loss_margin})
 * @param driftConfidence      ADWIN's confidence (delta) on the served model's log loss, averaged per mini-batch: smaller
 *                             means fewer false alarms and later detection ({@code learning.drift.confidence})
 * @param psiWindow            fewest recent feature rows compared with the golden set's by PSI ({@code learning.drift.psi_window});
 *                             the window grows, up to 20 times this, until its rows span {@code psiMinEntities} entities
 * @param psiThreshold         a feature whose PSI exceeds this is reported as shifted ({@code learning.drift.psi_threshold})
 * @param psiMinEntities       PSI compares a window only if its rows come from at least this many distinct entities (an
 *                             example that names none counts as one of its own); 0 compares every window
 *                             ({@code learning.drift.psi_min_entities}; 100 by default). Rows of one entity are not
 *                             independent draws: a patient's heart rate or temperature stays much the same over a stay,
 *                             so a window's PSI swings with who its patients are. Replaying the clinical demo's 38-bed
 *                             ward ({@code kingfisher bench drift}, six seeds without drift), the largest PSI was
 *                             0.12-0.21 over windows of 75 patients, 0.09-0.15 over 100, 0.06-0.09 over 150 (three);
 *                             with its drift, 100 reported on day 4, 150 on day 7
 * @param onDrift              what a detected drift does ({@code learning.drift.action})
 * @param boostFactor          with {@link DriftAction#BOOST_LR}: the learning rates' multiplier ({@code learning.drift.boost})
 * @param boostExamples        ... for this many examples ({@code learning.drift.boost_examples})
 * @param alertThreshold       the score above which an alert is raised: precision and recall are reported there
 * @param seed                 seed of the tuning perturbations
 * @param psiWarmUp            per feature column, the event time (ms) the stream must cover before PSI compares the
 *                             column: a store that starts empty shows low counts during a count's first window;
 *                             {@code Long.MAX_VALUE} for columns never compared (the hour of day); columns without
 *                             an entry need none
 */
public record LearnerSettings(int batchSize, int window, int publishEveryExamples, long publishEveryMillis,
                              int minExamplesToPublish, int population, double learningRateScale,
                              double learningRateSpread, int tuneEveryExamples,
                              double gateLossMargin, double gateAucMargin, double goldenAucMargin, int gateMinExamples,
                              int gateMinPositives, int rollbackMinExamples, double rollbackLossMargin,
                              double driftConfidence, int psiWindow, double psiThreshold, int psiMinEntities,
                              DriftAction onDrift, double boostFactor, int boostExamples, double alertThreshold,
                              long seed, List<Long> psiWarmUp) implements Serializable {

    /** What the learner does when it detects drift (it always reports it). */
    public enum DriftAction {
        /** Report only. */
        NONE,
        /** Multiply the learning rates by {@code boostFactor} for a while: adapt faster to the new regime. */
        BOOST_LR,
        /** Restart every member from the warm-start model: forget what the old regime taught. */
        RESET
    }

    public LearnerSettings {
        atLeast("learning.batch_size", batchSize, 1);
        atLeast("learning.window", window, 50);
        atLeast("learning.publish_every", publishEveryExamples, 1);
        if (publishEveryMillis < 1) {
            throw new IllegalArgumentException("learning.publish_interval must be > 0 ms, was " + publishEveryMillis);
        }
        atLeast("learning.min_new_examples", minExamplesToPublish, 1);
        atLeast("learning.population", population, 1);
        if (population > 16) {
            throw new IllegalArgumentException("learning.population must be at most 16, was " + population);
        }
        if (!(learningRateScale > 0 && learningRateScale <= 10)) {
            throw new IllegalArgumentException("learning.lr_scale must be in (0, 10], was " + learningRateScale);
        }
        if (!(learningRateSpread >= 1) || Double.isInfinite(learningRateSpread)) {
            throw new IllegalArgumentException("learning.lr_spread must be finite and >= 1, was " + learningRateSpread);
        }
        atLeast("learning.tune_every", tuneEveryExamples, 1);
        nonNegative("learning.gate.loss_margin", gateLossMargin);
        nonNegative("learning.gate.auc_margin", gateAucMargin);
        nonNegative("learning.gate.golden_margin", goldenAucMargin);
        atLeast("learning.gate.min_examples", gateMinExamples, 1);
        atLeast("learning.gate.min_positives", gateMinPositives, 0);
        atLeast("learning.rollback.min_examples", rollbackMinExamples, 1);
        nonNegative("learning.rollback.loss_margin", rollbackLossMargin);
        if (!(driftConfidence > 0 && driftConfidence < 1)) {
            throw new IllegalArgumentException("learning.drift.confidence must be in (0, 1), was " + driftConfidence);
        }
        atLeast("learning.drift.psi_window", psiWindow, 50);
        if (!(psiThreshold > 0)) {
            throw new IllegalArgumentException("learning.drift.psi_threshold must be > 0, was " + psiThreshold);
        }
        atLeast("learning.drift.psi_min_entities", psiMinEntities, 0);
        psiWarmUp = psiWarmUp == null ? List.of() : List.copyOf(psiWarmUp);
        for (long w : psiWarmUp) {
            if (w < 0) {
                throw new IllegalArgumentException("a column's PSI warm-up must be >= 0 ms, was " + w);
            }
        }
        if (onDrift == null) {
            throw new IllegalArgumentException("learning.drift.action must be one of none, boost_lr, reset");
        }
        if (!(boostFactor >= 1) || Double.isInfinite(boostFactor)) {
            throw new IllegalArgumentException("learning.drift.boost must be finite and >= 1, was " + boostFactor);
        }
        atLeast("learning.drift.boost_examples", boostExamples, 1);
        if (!(alertThreshold > 0 && alertThreshold < 1)) {
            throw new IllegalArgumentException("alert threshold must be in (0, 1), was " + alertThreshold);
        }
    }

    /**
     * Defaults: batches of 128 (a DL4J step costs about the same for 32 or 128 rows, so bigger batches keep the
     * trainer ahead of the stream), windows of 5,000 (enough positives at a fraud base rate), a candidate a second, three learning rates side by side.
     */
    public static LearnerSettings defaults() {
        return new LearnerSettings(128, 5000, 2000, 1000, 100, 3, 0.3, 3.0, 2000,
                0.02, 0.02, 0.05, 1000, 10, 1000, 0.10,
                0.002, 2000, 0.25, 100, DriftAction.BOOST_LR, 2.0, 3000, 0.5, 7L, List.of());
    }

    /** @return these settings with another population size (1 = a single member, no tuning) */
    public LearnerSettings withPopulation(int members) {
        return new LearnerSettings(batchSize, window, publishEveryExamples, publishEveryMillis, minExamplesToPublish,
                members, learningRateScale, learningRateSpread, tuneEveryExamples, gateLossMargin, gateAucMargin,
                goldenAucMargin, gateMinExamples, gateMinPositives, rollbackMinExamples, rollbackLossMargin,
                driftConfidence, psiWindow, psiThreshold, psiMinEntities, onDrift, boostFactor, boostExamples, alertThreshold, seed,
                psiWarmUp);
    }

    /** @return these settings with per-column PSI warm-ups (ms of event time; {@code Long.MAX_VALUE}: never) */
    public LearnerSettings withPsiWarmUp(List<Long> columns) {
        return new LearnerSettings(batchSize, window, publishEveryExamples, publishEveryMillis, minExamplesToPublish,
                population, learningRateScale, learningRateSpread, tuneEveryExamples, gateLossMargin, gateAucMargin,
                goldenAucMargin, gateMinExamples, gateMinPositives, rollbackMinExamples, rollbackLossMargin,
                driftConfidence, psiWindow, psiThreshold, psiMinEntities, onDrift, boostFactor, boostExamples, alertThreshold, seed,
                columns);
    }

    private static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be >= " + min + ", was " + value);
        }
    }

    private static void nonNegative(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + " must be finite and >= 0, was " + value);
        }
    }
}
