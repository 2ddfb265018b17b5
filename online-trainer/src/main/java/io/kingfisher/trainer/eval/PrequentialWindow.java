package io.kingfisher.trainer.eval;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prequential (test-then-train) evaluation of one model: the last {@code capacity} (score, label)
 * pairs in a ring buffer, plus cheap cumulative totals over everything ever added.
 *
 * <p>Each example must be scored <em>before</em> the model trains on it; the window then measures
 * how the model does on data it has not seen, as it is now. {@link #add} is O(1) and allocates
 * nothing, so it can run on every training example. The windowed log loss, Brier score, mean score
 * and positive rate are O(1) too (running sums, recomputed exactly from the buffer once per
 * {@code capacity} additions so rounding cannot drift). The AUC, precision/recall and calibration
 * error are O(W) or O(W log W) on demand: call {@link #metrics(String)} on a timer (say once a
 * second), not per example. The AUC reuses two scratch arrays, so it allocates nothing either.
 *
 * <p>Plain Java serialization carries the whole state, so a Flink operator can checkpoint it.
 * Not thread-safe.
 */
public final class PrequentialWindow implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Probabilities are clipped to [EPS, 1 - EPS] inside the log loss. */
    public static final double LOG_LOSS_EPS = 1e-7;

    /** Equal-width bins over [0, 1] for the expected calibration error. */
    public static final int CALIBRATION_BINS = 10;

    /** Default decision threshold for precision and recall. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    /** Metric keys of {@link #metrics(String)}, in the order they are put in the map. */
    public static final String AUC = "auc";
    public static final String LOGLOSS = "logloss";
    public static final String BRIER = "brier";
    public static final String PRECISION = "precision";
    public static final String RECALL = "recall";
    public static final String ECE = "ece";
    public static final String MEAN_SCORE = "mean_score";
    public static final String POSITIVE_RATE = "positive_rate";
    public static final String N = "n";
    public static final String POSITIVES = "positives";
    public static final String CUMULATIVE_LOGLOSS = "cumulative_logloss";
    public static final String CUMULATIVE_BRIER = "cumulative_brier";
    public static final String CUMULATIVE_N = "cumulative_n";

    private final int capacity;
    private final double threshold;
    private final double[] scores;
    private final boolean[] labels;
    /** Next slot to write. */
    private int head;
    private int size;
    private int positives;
    private double sumScore;
    private double sumLogLoss;
    private double sumBrier;
    /** Additions since the running sums were last recomputed from the buffer. */
    private int sinceResum;

    private long cumulativeCount;
    private long cumulativePositives;
    private double cumulativeLogLoss;
    private double cumulativeBrier;

    /** Sorting scratch for the AUC; not state. */
    private transient double[] scratchPos;
    private transient double[] scratchNeg;

    /**
     * A window with the default precision/recall threshold of 0.5.
     *
     * @param capacity how many of the latest examples to keep, at least 1
     */
    public PrequentialWindow(int capacity) {
        this(capacity, DEFAULT_THRESHOLD);
    }

    /**
     * @param capacity  how many of the latest examples to keep, at least 1
     * @param threshold scores at or above it count as predicted positive for precision and recall,
     *                  in [0, 1]
     */
    public PrequentialWindow(int capacity, double threshold) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], was " + threshold);
        }
        this.capacity = capacity;
        this.threshold = threshold;
        this.scores = new double[capacity];
        this.labels = new boolean[capacity];
    }

    /**
     * Adds one example, evicting the oldest when the window is full.
     *
     * @param score the model's probability for the example, scored before training on it, in [0, 1]
     * @param label 0 or 1
     */
    public void add(double score, double label) {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must be a probability in [0, 1], was " + score);
        }
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, was " + label);
        }
        boolean positive = label == 1;
        double loss = BinaryMetrics.logLoss(score, positive, LOG_LOSS_EPS);
        double err = score - label;
        double sq = err * err;

        if (size == capacity) {
            double oldScore = scores[head];
            boolean oldPositive = labels[head];
            double oldErr = oldScore - (oldPositive ? 1 : 0);
            sumScore -= oldScore;
            sumLogLoss -= BinaryMetrics.logLoss(oldScore, oldPositive, LOG_LOSS_EPS);
            sumBrier -= oldErr * oldErr;
            positives -= oldPositive ? 1 : 0;
        } else {
            size++;
        }
        scores[head] = score;
        labels[head] = positive;
        head = head + 1 == capacity ? 0 : head + 1;
        positives += positive ? 1 : 0;
        sumScore += score;
        sumLogLoss += loss;
        sumBrier += sq;
        if (++sinceResum >= capacity) {
            resum();
        }

        cumulativeCount++;
        cumulativePositives += positive ? 1 : 0;
        cumulativeLogLoss += loss;
        cumulativeBrier += sq;
    }

    /** Forgets the window and the cumulative totals. */
    public void clear() {
        head = 0;
        size = 0;
        positives = 0;
        sumScore = 0;
        sumLogLoss = 0;
        sumBrier = 0;
        sinceResum = 0;
        cumulativeCount = 0;
        cumulativePositives = 0;
        cumulativeLogLoss = 0;
        cumulativeBrier = 0;
    }

    private void resum() {
        double s = 0;
        double l = 0;
        double b = 0;
        for (int i = 0; i < size; i++) {
            double p = scores[i];
            double e = p - (labels[i] ? 1 : 0);
            s += p;
            l += BinaryMetrics.logLoss(p, labels[i], LOG_LOSS_EPS);
            b += e * e;
        }
        sumScore = s;
        sumLogLoss = l;
        sumBrier = b;
        sinceResum = 0;
    }

    /** @return the maximum number of examples in the window */
    public int capacity() {
        return capacity;
    }

    /** @return the precision/recall threshold of {@link #metrics(String)} */
    public double threshold() {
        return threshold;
    }

    /** @return how many examples are in the window now */
    public int size() {
        return size;
    }

    /** @return how many examples in the window are positive */
    public int positives() {
        return positives;
    }

    /** @return how many examples in the window are negative */
    public int negatives() {
        return size - positives;
    }

    /** @return mean log loss over the window (probabilities clipped at 1e-7), NaN when empty; O(1) */
    public double logLoss() {
        return size == 0 ? Double.NaN : Math.max(0, sumLogLoss) / size;
    }

    /** @return mean squared error over the window, NaN when empty; O(1) */
    public double brier() {
        return size == 0 ? Double.NaN : Math.max(0, sumBrier) / size;
    }

    /** @return mean score over the window, NaN when empty; O(1) */
    public double meanScore() {
        return size == 0 ? Double.NaN : Math.max(0, sumScore) / size;
    }

    /** @return fraction of positives in the window, NaN when empty; O(1) */
    public double positiveRate() {
        return size == 0 ? Double.NaN : (double) positives / size;
    }

    /**
     * Exact AUC over the window, ties counting one half. O(W log W), allocation-free after the
     * first call.
     *
     * @return the AUC, NaN when the window lacks positives or negatives
     */
    public double auc() {
        int negatives = size - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        if (scratchPos == null || scratchPos.length != capacity) {
            scratchPos = new double[capacity];
            scratchNeg = new double[capacity];
        }
        int p = 0;
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (labels[i]) {
                scratchPos[p++] = scores[i];
            } else {
                scratchNeg[n++] = scores[i];
            }
        }
        Arrays.sort(scratchPos, 0, p);
        Arrays.sort(scratchNeg, 0, n);
        return BinaryMetrics.aucOfSorted(scratchPos, p, scratchNeg, n);
    }

    /**
     * @param threshold scores at or above it are predicted positive
     * @return true positives / predicted positives over the window, NaN when nothing is predicted
     *         positive
     */
    public double precision(double threshold) {
        int predicted = 0;
        int truePositives = 0;
        for (int i = 0; i < size; i++) {
            if (scores[i] >= threshold) {
                predicted++;
                truePositives += labels[i] ? 1 : 0;
            }
        }
        return predicted == 0 ? Double.NaN : (double) truePositives / predicted;
    }

    /**
     * @param threshold scores at or above it are predicted positive
     * @return true positives / positives over the window, NaN when the window has no positives
     */
    public double recall(double threshold) {
        if (positives == 0) {
            return Double.NaN;
        }
        int truePositives = 0;
        for (int i = 0; i < size; i++) {
            if (labels[i] && scores[i] >= threshold) {
                truePositives++;
            }
        }
        return (double) truePositives / positives;
    }

    /**
     * Expected calibration error over {@value #CALIBRATION_BINS} equal-width score bins: the
     * example-weighted mean over bins of |mean score - positive rate|. Bin b holds scores in
     * [b/10, (b+1)/10), the last bin also holds 1.0. O(W).
     *
     * @return the ECE in [0, 1], NaN when empty
     */
    public double expectedCalibrationError() {
        if (size == 0) {
            return Double.NaN;
        }
        int[] count = new int[CALIBRATION_BINS];
        double[] sumS = new double[CALIBRATION_BINS];
        int[] pos = new int[CALIBRATION_BINS];
        for (int i = 0; i < size; i++) {
            double s = scores[i];
            int b = Math.min((int) (s * CALIBRATION_BINS), CALIBRATION_BINS - 1);
            count[b]++;
            sumS[b] += s;
            pos[b] += labels[i] ? 1 : 0;
        }
        double ece = 0;
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (count[b] > 0) {
                ece += Math.abs(sumS[b] - pos[b]); // = count * |mean score - positive rate|
            }
        }
        return ece / size;
    }

    /** @return examples added since construction or {@link #clear()} */
    public long cumulativeCount() {
        return cumulativeCount;
    }

    /** @return positives added since construction or {@link #clear()} */
    public long cumulativePositives() {
        return cumulativePositives;
    }

    /** @return mean log loss over every example added, NaN before the first */
    public double cumulativeLogLoss() {
        return cumulativeCount == 0 ? Double.NaN : cumulativeLogLoss / cumulativeCount;
    }

    /** @return mean Brier score over every example added, NaN before the first */
    public double cumulativeBrier() {
        return cumulativeCount == 0 ? Double.NaN : cumulativeBrier / cumulativeCount;
    }

    /**
     * Whether both windows hold the same number of examples with the same labels in the same
     * order: the check that two models' windows were fed the same stream (a gate comparing windows
     * over different examples would compare noise). O(W).
     *
     * @param other another window
     * @return true when sizes and label sequences match
     */
    public boolean sameLabelsAs(PrequentialWindow other) {
        if (other == null) {
            throw new IllegalArgumentException("other must not be null");
        }
        if (size != other.size || positives != other.positives) {
            return false;
        }
        for (int k = 0; k < size; k++) {
            if (labels[oldest(k)] != other.labels[other.oldest(k)]) {
                return false;
            }
        }
        return true;
    }

    /** Slot of the k-th oldest example. */
    private int oldest(int k) {
        int start = size == capacity ? head : 0;
        int i = start + k;
        return i >= capacity ? i - capacity : i;
    }

    /**
     * All metrics under stable keys, each prefixed: {@value #AUC}, {@value #LOGLOSS},
     * {@value #BRIER}, {@value #PRECISION}, {@value #RECALL} (at {@link #threshold()}),
     * {@value #ECE}, {@value #MEAN_SCORE}, {@value #POSITIVE_RATE}, {@value #N},
     * {@value #POSITIVES}, {@value #CUMULATIVE_LOGLOSS}, {@value #CUMULATIVE_BRIER},
     * {@value #CUMULATIVE_N}. Undefined values are NaN (the key is still there). O(W log W): call it
     * on a timer, not per example.
     *
     * @param prefix put before each key, e.g. {@code "champion."}; null means none
     * @return a new insertion-ordered map
     */
    public Map<String, Double> metrics(String prefix) {
        String p = prefix == null ? "" : prefix;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(p + AUC, auc());
        m.put(p + LOGLOSS, logLoss());
        m.put(p + BRIER, brier());
        m.put(p + PRECISION, precision(threshold));
        m.put(p + RECALL, recall(threshold));
        m.put(p + ECE, expectedCalibrationError());
        m.put(p + MEAN_SCORE, meanScore());
        m.put(p + POSITIVE_RATE, positiveRate());
        m.put(p + N, (double) size);
        m.put(p + POSITIVES, (double) positives);
        m.put(p + CUMULATIVE_LOGLOSS, cumulativeLogLoss());
        m.put(p + CUMULATIVE_BRIER, cumulativeBrier());
        m.put(p + CUMULATIVE_N, (double) cumulativeCount);
        return m;
    }

    @Override
    public String toString() {
        return String.format("PrequentialWindow[n=%d/%d, positives=%d, logloss=%.5f, brier=%.5f]", size, capacity,
                positives, logLoss(), brier());
    }
}
