package io.kingfisher.trainer.gate;

import io.kingfisher.trainer.eval.PrequentialWindow;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Champion/challenger gate: decides whether a candidate model trained online may replace the
 * served champion.
 *
 * <p>Inputs are the two models' {@link PrequentialWindow}s over the <em>same</em> recent examples,
 * each example scored by both models before the candidate trained on it, plus both models' AUC on a
 * fixed, trusted "golden" holdout set. The candidate is refused when
 * <ul>
 *   <li>the windows do not hold the same label sequence (they were fed different examples);</li>
 *   <li>there are fewer than {@code minExamples} examples or {@code minPositives} positives;</li>
 *   <li>its window log loss exceeds the champion's times {@code 1 + logLossMargin};</li>
 *   <li>its window AUC is below the champion's minus {@code aucMargin} (when both are defined);</li>
 *   <li>its golden-set AUC is below the champion's minus {@code goldenMargin}, or a golden AUC is
 *       missing while {@code requireGolden} is set.</li>
 * </ul>
 * The golden check is the one that stops a trainer fed corrupted labels (say, flipped): on its own
 * flipped stream the candidate can look as good as or better than the champion, but it collapses on
 * labels that are known to be right. Every failed check is reported, not only the first.
 *
 * <p>Stateless apart from its configuration; {@link #decide} costs two window metric computations
 * (O(W log W)), so call it when a candidate is ready, not per example.
 */
public final class Gate implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Metric keys of a decision, besides the two windows' metrics under these prefixes. */
    public static final String CHAMPION = "champion.";
    public static final String CANDIDATE = "candidate.";
    public static final String GOLDEN_AUC = "golden_auc";
    public static final String LOGLOSS_RATIO = "logloss_ratio";
    public static final String AUC_DELTA = "auc_delta";
    public static final String GOLDEN_AUC_DELTA = "golden_auc_delta";

    /**
     * Thresholds of the gate.
     *
     * @param minExamples   examples the windows must hold, at least 1
     * @param minPositives  positives the windows must hold, at least 0
     * @param logLossMargin relative log-loss slack: refuse when candidate &gt; champion x (1 + it);
     *                      at least 0
     * @param aucMargin     refuse when the candidate's window AUC &lt; champion's minus it; in [0, 1]
     * @param goldenMargin  refuse when the candidate's golden AUC &lt; champion's minus it; in [0, 1]
     * @param requireGolden refuse when either golden AUC is NaN (no golden set, or one class missing
     *                      from it)
     */
    public record Config(int minExamples, int minPositives, double logLossMargin, double aucMargin,
                         double goldenMargin, boolean requireGolden) implements Serializable {

        public Config {
            if (minExamples < 1) {
                throw new IllegalArgumentException("minExamples must be at least 1, was " + minExamples);
            }
            if (minPositives < 0) {
                throw new IllegalArgumentException("minPositives must be at least 0, was " + minPositives);
            }
            if (!(logLossMargin >= 0) || Double.isInfinite(logLossMargin)) {
                throw new IllegalArgumentException("logLossMargin must be finite and at least 0, was " + logLossMargin);
            }
            if (!(aucMargin >= 0 && aucMargin <= 1)) {
                throw new IllegalArgumentException("aucMargin must be in [0, 1], was " + aucMargin);
            }
            if (!(goldenMargin >= 0 && goldenMargin <= 1)) {
                throw new IllegalArgumentException("goldenMargin must be in [0, 1], was " + goldenMargin);
            }
        }

        /**
         * At least 1000 examples and 20 positives; the candidate may be 1% worse in log loss and
         * 0.005 in window AUC, 0.01 in golden AUC; a golden AUC is required.
         *
         * @return the defaults
         */
        public static Config defaults() {
            return new Config(1000, 20, 0.01, 0.005, 0.01, true);
        }

        /** @return a copy with another minimum of examples and positives */
        public Config withMinimums(int examples, int positives) {
            return new Config(examples, positives, logLossMargin, aucMargin, goldenMargin, requireGolden);
        }

        /** @return a copy with other margins */
        public Config withMargins(double logLoss, double auc, double golden) {
            return new Config(minExamples, minPositives, logLoss, auc, golden, requireGolden);
        }

        /** @return a copy that does or does not require golden AUCs */
        public Config withRequireGolden(boolean require) {
            return new Config(minExamples, minPositives, logLossMargin, aucMargin, goldenMargin, require);
        }
    }

    /**
     * What the gate decided.
     *
     * @param publish whether the candidate may replace the champion
     * @param reason  human-readable: why not (every failed check, separated by "; "), or the numbers
     *                that let it through
     * @param metrics both windows' metrics (keys prefixed {@value #CHAMPION} and {@value #CANDIDATE}),
     *                their golden AUCs ({@code champion.golden_auc}, {@code candidate.golden_auc}),
     *                {@value #LOGLOSS_RATIO} (candidate / champion), {@value #AUC_DELTA} and
     *                {@value #GOLDEN_AUC_DELTA} (candidate - champion); unmodifiable
     */
    public record Decision(boolean publish, String reason, Map<String, Double> metrics) implements Serializable {

        public Decision {
            if (reason == null || metrics == null) {
                throw new IllegalArgumentException("reason and metrics must not be null");
            }
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }

    private final Config config;

    /** @param config thresholds; see {@link Config#defaults()} */
    public Gate(Config config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /**
     * Decides whether the candidate may be published.
     *
     * @param champion           the served model's window over the recent examples
     * @param candidate          the candidate's window over the same examples, scored before it
     *                           trained on each of them
     * @param championGoldenAuc  the champion's AUC on the golden holdout set, NaN if unknown
     * @param candidateGoldenAuc the candidate's AUC on the same golden set, NaN if unknown
     * @return the decision with its reason and numbers
     */
    public Decision decide(PrequentialWindow champion, PrequentialWindow candidate, double championGoldenAuc,
                           double candidateGoldenAuc) {
        if (champion == null || candidate == null) {
            throw new IllegalArgumentException("champion and candidate windows must not be null");
        }
        if (championGoldenAuc < 0 || championGoldenAuc > 1) {
            throw new IllegalArgumentException("championGoldenAuc must be in [0, 1] or NaN, was " + championGoldenAuc);
        }
        if (candidateGoldenAuc < 0 || candidateGoldenAuc > 1) {
            throw new IllegalArgumentException("candidateGoldenAuc must be in [0, 1] or NaN, was " + candidateGoldenAuc);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.putAll(champion.metrics(CHAMPION));
        m.putAll(candidate.metrics(CANDIDATE));
        m.put(CHAMPION + GOLDEN_AUC, championGoldenAuc);
        m.put(CANDIDATE + GOLDEN_AUC, candidateGoldenAuc);
        double champLoss = champion.logLoss();
        double candLoss = candidate.logLoss();
        double champAuc = m.get(CHAMPION + PrequentialWindow.AUC);
        double candAuc = m.get(CANDIDATE + PrequentialWindow.AUC);
        m.put(LOGLOSS_RATIO, candLoss / champLoss);
        m.put(AUC_DELTA, candAuc - champAuc);
        m.put(GOLDEN_AUC_DELTA, candidateGoldenAuc - championGoldenAuc);

        if (!champion.sameLabelsAs(candidate)) {
            return new Decision(false, String.format(Locale.ROOT,
                    "windows do not cover the same examples (champion n=%d positives=%d, candidate n=%d positives=%d)",
                    champion.size(), champion.positives(), candidate.size(), candidate.positives()), m);
        }
        int n = champion.size();
        int positives = champion.positives();
        List<String> refusals = new ArrayList<>();
        if (n < config.minExamples()) {
            refusals.add(String.format(Locale.ROOT, "too few examples: %d < %d", n, config.minExamples()));
        }
        if (positives < config.minPositives()) {
            refusals.add(String.format(Locale.ROOT, "too few positives: %d < %d", positives, config.minPositives()));
        }
        double lossLimit = champLoss * (1 + config.logLossMargin());
        if (n > 0 && candLoss > lossLimit) {
            refusals.add(String.format(Locale.ROOT, "log loss %.5f > champion %.5f x %.4f = %.5f", candLoss, champLoss,
                    1 + config.logLossMargin(), lossLimit));
        }
        if (!Double.isNaN(champAuc) && !Double.isNaN(candAuc) && candAuc < champAuc - config.aucMargin()) {
            refusals.add(String.format(Locale.ROOT, "window AUC %.4f < champion %.4f - %.4f", candAuc, champAuc,
                    config.aucMargin()));
        }
        boolean goldenKnown = !Double.isNaN(championGoldenAuc) && !Double.isNaN(candidateGoldenAuc);
        if (goldenKnown && candidateGoldenAuc < championGoldenAuc - config.goldenMargin()) {
            refusals.add(String.format(Locale.ROOT,
                    "golden-set AUC %.4f < champion %.4f - %.4f (the candidate fails on trusted labels)",
                    candidateGoldenAuc, championGoldenAuc, config.goldenMargin()));
        } else if (!goldenKnown && config.requireGolden()) {
            refusals.add(String.format(Locale.ROOT, "golden-set AUC missing (champion %s, candidate %s)",
                    championGoldenAuc, candidateGoldenAuc));
        }
        if (!refusals.isEmpty()) {
            return new Decision(false, "refused: " + String.join("; ", refusals), m);
        }
        return new Decision(true, String.format(Locale.ROOT,
                "publish: over %d examples (%d positives) log loss %.5f vs champion %.5f, window AUC %.4f vs %.4f, "
                        + "golden AUC %.4f vs %.4f",
                n, positives, candLoss, champLoss, candAuc, champAuc, candidateGoldenAuc, championGoldenAuc), m);
    }
}
