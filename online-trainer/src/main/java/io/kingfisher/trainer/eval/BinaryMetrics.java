package io.kingfisher.trainer.eval;

import java.util.Arrays;

/**
 * Metrics of probability scores against 0/1 labels, in plain Java.
 *
 * <p>Labels must be exactly 0 or 1 and scores must not be NaN; anything else is an
 * {@link IllegalArgumentException} naming the index. Metrics that are undefined for the input
 * (AUC without both classes, any metric on no examples) are NaN.
 */
public final class BinaryMetrics {

    /** Probabilities are clipped to [EPS, 1 - EPS] inside the log loss. */
    public static final double LOG_LOSS_EPS = 1e-15;

    private BinaryMetrics() {
    }

    /**
     * Exact ROC AUC: the probability that a random positive scores above a random negative, ties
     * counting one half (equal to the rank-based Mann-Whitney statistic with mid-ranks).
     * O(n log n).
     *
     * @param scores scores, any real values
     * @param labels 0/1 labels, same length
     * @return the AUC, or NaN when there are no positives or no negatives
     */
    public static double auc(double[] scores, float[] labels) {
        check(scores, labels, false);
        int positives = 0;
        for (float y : labels) {
            positives += y == 1f ? 1 : 0;
        }
        int negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double[] pos = new double[positives];
        double[] neg = new double[negatives];
        for (int i = 0, p = 0, n = 0; i < scores.length; i++) {
            if (labels[i] == 1f) {
                pos[p++] = scores[i];
            } else {
                neg[n++] = scores[i];
            }
        }
        Arrays.sort(pos);
        Arrays.sort(neg);
        return aucOfSorted(pos, positives, neg, negatives);
    }

    /**
     * The AUC of already sorted positive and negative scores, for callers that keep their own
     * scratch arrays (a windowed evaluator calling this every second should not allocate).
     *
     * @param pos       ascending positive scores in {@code pos[0..positives)}
     * @param positives how many of {@code pos} are used
     * @param neg       ascending negative scores in {@code neg[0..negatives)}
     * @param negatives how many of {@code neg} are used
     * @return the AUC with ties counting one half, or NaN when either count is 0
     */
    public static double aucOfSorted(double[] pos, int positives, double[] neg, int negatives) {
        if (pos == null || neg == null) {
            throw new IllegalArgumentException("pos and neg must not be null");
        }
        if (positives < 0 || positives > pos.length) {
            throw new IllegalArgumentException("positives must be in [0, " + pos.length + "], was " + positives);
        }
        if (negatives < 0 || negatives > neg.length) {
            throw new IllegalArgumentException("negatives must be in [0, " + neg.length + "], was " + negatives);
        }
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double wins = 0;
        int below = 0;
        int belowOrEqual = 0;
        for (int i = 0; i < positives; i++) {
            double s = pos[i];
            while (below < negatives && neg[below] < s) {
                below++;
            }
            if (belowOrEqual < below) {
                belowOrEqual = below;
            }
            while (belowOrEqual < negatives && neg[belowOrEqual] <= s) {
                belowOrEqual++;
            }
            wins += below + 0.5 * (belowOrEqual - below);
        }
        return wins / ((double) positives * negatives);
    }

    /**
     * The log loss of one example, with the probability clipped to {@code [eps, 1 - eps]}.
     *
     * @param probability predicted probability of the positive class, in [0, 1]
     * @param positive    whether the label is 1
     * @param eps         clipping, in [0, 0.5)
     * @return {@code -ln p} for a positive, {@code -ln(1 - p)} for a negative
     */
    public static double logLoss(double probability, boolean positive, double eps) {
        double p = Math.min(Math.max(probability, eps), 1 - eps);
        return positive ? -Math.log(p) : -Math.log1p(-p);
    }

    /**
     * Mean negative log-likelihood.
     *
     * @param probabilities predicted probabilities of the positive class, in [0, 1]
     * @param labels        0/1 labels, same length
     * @return the log loss in nats, NaN for no examples
     */
    public static double logLoss(double[] probabilities, float[] labels) {
        check(probabilities, labels, true);
        if (labels.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum += logLoss(probabilities[i], labels[i] == 1f, LOG_LOSS_EPS);
        }
        return sum / labels.length;
    }

    /**
     * Mean squared error of the probabilities.
     *
     * @param probabilities predicted probabilities of the positive class, in [0, 1]
     * @param labels        0/1 labels, same length
     * @return the Brier score, NaN for no examples
     */
    public static double brier(double[] probabilities, float[] labels) {
        check(probabilities, labels, true);
        if (labels.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double d = probabilities[i] - labels[i];
            sum += d * d;
        }
        return sum / labels.length;
    }

    /**
     * @param labels 0/1 labels
     * @return how many are 1
     */
    public static int positives(float[] labels) {
        check(new double[labels.length], labels, false);
        int n = 0;
        for (float y : labels) {
            n += y == 1f ? 1 : 0;
        }
        return n;
    }

    private static void check(double[] scores, float[] labels, boolean probabilities) {
        if (scores == null || labels == null) {
            throw new IllegalArgumentException("scores and labels must not be null");
        }
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels differ in length: " + scores.length + " vs "
                    + labels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0f && labels[i] != 1f) {
                throw new IllegalArgumentException("labels[" + i + "] must be 0 or 1, was " + labels[i]);
            }
            double s = scores[i];
            if (Double.isNaN(s) || (probabilities && (s < 0 || s > 1))) {
                throw new IllegalArgumentException("scores[" + i + "] must be " + (probabilities ? "in [0, 1]" : "a number")
                        + ", was " + s);
            }
        }
    }
}
