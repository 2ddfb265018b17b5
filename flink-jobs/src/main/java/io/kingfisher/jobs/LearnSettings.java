package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.config.Setting;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.scoring.snapshot.PayloadFormat;
import io.kingfisher.trainer.online.LearnerSettings;

import java.time.Duration;
import java.util.List;

/** The settings of the learning job: the feedback join and the online trainer ({@link LearnerSettings}). */
public final class LearnSettings {
    private LearnSettings() {
    }

    /** What a label after its score's window does (see {@code io.kingfisher.feedback.JoinRule.LateLabels}). */
    public enum LateLabels { CORRECT, DROP }

    private static final LearnerSettings D = LearnerSettings.defaults();

    public static final Setting<Duration> PROVISIONAL_AFTER = Setting.duration("feedback.provisional_negative_after",
            "for label windows longer than this with negative timeouts: train on a provisional negative after this long "
                    + "and correct it if a positive label comes later (0 = wait for the window; default: the domain's, "
                    + "else 1 day)", Duration.ofDays(1), Duration.ZERO);
    public static final Setting<Duration> OUT_OF_ORDERNESS = Setting.duration("feedback.out_of_orderness",
            "how far behind the latest event time a score or label may arrive and still be joined in event-time order: "
                    + "the join's watermarks lag by this much, so every timeout and provisional negative waits for it; a "
                    + "score later than that is settled at the next watermark, a label later than its score's window "
                    + "corrects it (default: the domain's, else its features' allowed lateness)", FeatureSpec.DEFAULT_ALLOWED_LATENESS, Duration.ZERO);
    public static final Setting<LateLabels> LATE_LABELS = Setting.choice("feedback.late_labels",
            "a label after its score's window: correct (emit a correcting example) or drop (count it, dead-letter it)",
            LateLabels.CORRECT, LateLabels.class);
    public static final Setting<Duration> RETENTION = Setting.duration("feedback.retention",
            "how long after its window a settled score is remembered, to correct it by a late label and drop replays",
            Duration.ofDays(1), Duration.ZERO);
    public static final Setting<Duration> IDLENESS = Setting.duration("feedback.idle_after",
            "a score or label partition without records this long stops holding back event time (timeouts fire)",
            Duration.ofSeconds(2), Duration.ofMillis(100));
    public static final Setting<Integer> PARALLELISM = Setting.integer("learning.parallelism",
            "parallelism of the learning job's join and decoders (the trainer is always 1): one thread keeps up with "
                    + "thousands of labels a second, and fewer subtasks mean fewer Kafka transactions per checkpoint", 1, 1, 1024);
    public static final Setting<Integer> BATCH_SIZE = Setting.integer("learning.batch_size",
            "examples per online training step", D.batchSize(), 1, 65_536);
    public static final Setting<Integer> WINDOW = Setting.integer("learning.window",
            "examples in the prequential windows the gate, rollback and tuning compare (default: the domain's "
                    + "model.learning_window, " + D.window() + " unless it says otherwise)", D.window(),
            io.kingfisher.domain.Domain.ModelShape.MIN_LEARNING_WINDOW, io.kingfisher.domain.Domain.ModelShape.MAX_LEARNING_WINDOW);
    public static final Setting<Integer> PUBLISH_EVERY = Setting.integer("learning.publish_every",
            "a candidate goes to the gate after this many examples", D.publishEveryExamples(), 1, Integer.MAX_VALUE);
    public static final Setting<Duration> PUBLISH_INTERVAL = Setting.duration("learning.publish_interval",
            "... or this long after the last decision", Duration.ofMillis(D.publishEveryMillis()), Duration.ofMillis(1));
    public static final Setting<Integer> MIN_NEW_EXAMPLES = Setting.integer("learning.min_new_examples",
            "fewest new examples a candidate trains on before the interval may put it to the gate",
            D.minExamplesToPublish(), 1, Integer.MAX_VALUE);
    public static final Setting<Integer> POPULATION = Setting.integer("learning.population",
            "candidate configurations trained side by side (1 = no tuning)", D.population(), 1, 16);
    public static final Setting<Double> LR_SCALE = Setting.decimal("learning.lr_scale",
            "the online base learning rate as a fraction of the warm start's (default: the domain's model.fine_tune_scale, "
                    + D.learningRateScale() + " unless it says otherwise)", D.learningRateScale(), 1e-6,
            io.kingfisher.domain.Domain.ModelShape.MAX_FINE_TUNE_SCALE);
    public static final Setting<Double> LR_SPREAD = Setting.decimal("learning.lr_spread",
            "the members' learning rates span the base rate divided and multiplied by this", D.learningRateSpread(), 1, 1000);
    public static final Setting<Integer> TUNE_EVERY = Setting.integer("learning.tune_every",
            "examples between tuning steps", D.tuneEveryExamples(), 1, Integer.MAX_VALUE);
    public static final Setting<Double> GATE_LOSS_MARGIN = Setting.decimal("learning.gate.loss_margin",
            "a candidate's log loss may exceed the champion's by at most this fraction", D.gateLossMargin(), 0, 10);
    public static final Setting<Double> GATE_AUC_MARGIN = Setting.decimal("learning.gate.auc_margin",
            "a candidate's AUC may trail the champion's by at most this", D.gateAucMargin(), 0, 1);
    public static final Setting<Double> GOLDEN_MARGIN = Setting.decimal("learning.gate.golden_margin",
            "a candidate's golden-set AUC may trail the champion's and the warm start's by at most this", D.goldenAucMargin(), 0, 1);
    public static final Setting<Double> ROLLBACK_MARGIN = Setting.decimal("learning.rollback.loss_margin",
            "a new version whose live log loss exceeds its parent's by more than this fraction is rolled back",
            D.rollbackLossMargin(), 0, 10);
    public static final Setting<LearnerSettings.DriftAction> DRIFT_ACTION = Setting.choice("learning.drift.action",
            "what detected drift does: none, boost_lr or reset", D.onDrift(), LearnerSettings.DriftAction.class);
    public static final Setting<Double> DRIFT_CONFIDENCE = Setting.decimal("learning.drift.confidence",
            "ADWIN confidence on the served model's loss (smaller: fewer false alarms, later detection)",
            D.driftConfidence(), 1e-9, 0.5);
    public static final Setting<Integer> PSI_MIN_ENTITIES = Setting.integer("learning.drift.psi_min_entities",
            "PSI compares a window of examples only if they come from at least this many distinct entities (0: always)",
            D.psiMinEntities(), 0, Integer.MAX_VALUE);
    public static final Setting<Duration> CHECKPOINT_INTERVAL = Setting.duration("learning.checkpoint_interval",
            "checkpoint interval of the learning job: bounds the replay after a failure and how soon <domain>.examples "
                    + "shows new examples; the trainer and scorers do not wait for it", Duration.ofSeconds(5), Duration.ofMillis(50));
    public static final Setting<PayloadFormat> PAYLOAD_FORMAT = Setting.choice("learning.payload_format",
            "the payload format of published snapshots: float (with optimizer state) or int8 (per-channel int8 weights, "
                    + "2-3 times smaller, served dequantized)", PayloadFormat.FLOAT, PayloadFormat.class);

    public static final List<Setting<?>> ALL = List.of(CHECKPOINT_INTERVAL, PAYLOAD_FORMAT, PARALLELISM, PROVISIONAL_AFTER, OUT_OF_ORDERNESS, LATE_LABELS, RETENTION, IDLENESS, BATCH_SIZE, WINDOW,
            PUBLISH_EVERY, PUBLISH_INTERVAL, MIN_NEW_EXAMPLES, POPULATION, LR_SCALE, LR_SPREAD, TUNE_EVERY, GATE_LOSS_MARGIN,
            GATE_AUC_MARGIN, GOLDEN_MARGIN, ROLLBACK_MARGIN, DRIFT_ACTION, DRIFT_CONFIDENCE, PSI_MIN_ENTITIES);

    /**
     * @return the learner's settings from the job's configuration (defaults for the keys not set), with the
     *     domain's alert threshold, and PSI comparing each feature column once the examples have covered its warm-up
     *     ({@link io.kingfisher.features.FeatureSpec#columnWarmUpMillis()}) plus the time the join takes to settle a
     *     score as negative (its provisional delay, else its label window): until then the examples are the
     *     scores whose labels came first, not a sample of all scores (fraud reports before chargebacks and
     *     genuine payments). PSI never compares the hashed id columns of an embedding model (clicks' user and
     *     item): which ids a window holds says who was active, not how the features are distributed
     */
    public static LearnerSettings learner(Config c, io.kingfisher.domain.Domain domain) {
        long settle = LearnJob.joinRule(domain, c).negativeAfter().toMillis();
        long[] columns = domain.features().columnWarmUpMillis();
        int ids = domain.model().idEmbeddings() == null ? 0 : domain.model().idEmbeddings().tables().size();
        List<Long> warmUp = java.util.stream.IntStream.range(0, columns.length)
                .mapToObj(j -> j < ids || columns[j] == io.kingfisher.features.FeatureSpec.NEVER
                        || columns[j] > Long.MAX_VALUE - settle ? io.kingfisher.features.FeatureSpec.NEVER : columns[j] + settle)
                .toList();
        return learner(c, domain.outputs().alertThreshold(), c.getOr(LR_SCALE, domain.model().fineTuneScale()),
                c.getOr(WINDOW, domain.model().learningWindow()))
                .withPsiWarmUp(warmUp);
    }

    private static LearnerSettings learner(Config c, double alertThreshold, double learningRateScale, int window) {
        LearnerSettings d = LearnerSettings.defaults();
        return new LearnerSettings(c.get(BATCH_SIZE), window, c.get(PUBLISH_EVERY), c.get(PUBLISH_INTERVAL).toMillis(),
                c.get(MIN_NEW_EXAMPLES), c.get(POPULATION), learningRateScale, c.get(LR_SPREAD), c.get(TUNE_EVERY), c.get(GATE_LOSS_MARGIN),
                c.get(GATE_AUC_MARGIN), c.get(GOLDEN_MARGIN), d.gateMinExamples(), d.gateMinPositives(),
                d.rollbackMinExamples(), c.get(ROLLBACK_MARGIN), c.get(DRIFT_CONFIDENCE), d.psiWindow(),
                d.psiThreshold(), c.get(PSI_MIN_ENTITIES), c.get(DRIFT_ACTION), d.boostFactor(), d.boostExamples(), alertThreshold, d.seed(), List.of());
    }
}
