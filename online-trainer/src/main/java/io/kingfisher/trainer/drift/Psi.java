package io.kingfisher.trainer.drift;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Population stability index of each feature: how far the distribution of recent rows moved from
 * a reference sample (typically the data the served model was trained on).
 *
 * <p>For each feature, up to {@code bins} quantile bins are cut from the reference: edges at the
 * reference's 1/bins, 2/bins, ... quantiles, duplicates removed, so a constant feature gets a
 * single edge (two bins: at-or-below the constant and above it) and a feature with a mass point
 * keeps that point in one bin. Bin {@code k} holds values in {@code (edge[k-1], edge[k]]}; the last
 * bin is everything above the last edge. NaN (a missing value) has a bin of its own, so a change in
 * how often a feature is missing counts as drift too. The reference proportions are the reference's
 * own counts in these bins (not assumed to be 1/bins), so ties cannot bias the index.
 *
 * <p>{@link #observe(float[])} puts a row into the current window: {@link Window#SLIDING} keeps
 * the last {@code windowSize} rows (each row's bins are remembered so the oldest can be taken out, and
 * {@link #evictOldest()} lets a caller keep a shorter window than that);
 * {@link Window#TUMBLING} fills a window of {@code windowSize} rows, then starts a fresh one, and
 * {@link #psi()} reads the last complete window (the partial one before the first completes).
 *
 * <p>{@code PSI = sum over bins of (a - e) ln(a / e)}, with {@code a} the window's and {@code e}
 * the reference's proportion of the bin, each raised to at least {@code epsilon} so an empty bin
 * gives a large but finite term. The common reading: below 0.1 stable, 0.1 to 0.25 a moderate
 * shift, above 0.25 a significant shift (see {@link #level(double)}).
 *
 * <p>Observing a row is O(features x log bins) and allocation-free. Serializable for checkpoints.
 * Not thread-safe.
 */
public final class Psi implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default number of quantile bins. */
    public static final int DEFAULT_BINS = 10;

    /** Fewest reference rows that must stand for a feature for it to be compared (all rows, if there are fewer). */
    public static final int MIN_REFERENCE_ROWS = 100;

    /** Rows of a sliding window's first ring: a window that is rarely full keeps a small one (and checkpoint). */
    static final int FIRST_RING_ROWS = 1024;

    /** Default floor of a bin's proportion. */
    public static final double DEFAULT_EPSILON = 1e-4;

    /** Readings below this are stable. */
    public static final double MODERATE = 0.1;

    /** Readings above this are a significant shift. */
    public static final double SHIFT = 0.25;

    /** How observed rows form the window that is compared with the reference. */
    public enum Window {
        /** The last {@code windowSize} rows. */
        SLIDING,
        /** Consecutive, non-overlapping blocks of {@code windowSize} rows. */
        TUMBLING
    }

    /** The common reading of a PSI value. */
    public enum Level {
        /** Below 0.1. */
        STABLE,
        /** 0.1 to 0.25. */
        MODERATE,
        /** Above 0.25. */
        SHIFT
    }

    private final int features;
    private final Window mode;
    private final int windowSize;
    private final double epsilon;
    /** Per feature, ascending distinct upper edges; bins are edges.length + 1 value bins, then NaN. */
    private final float[][] edges;
    /** Per feature, the reference proportion of each bin (value bins, then the NaN bin). */
    private final double[][] expected;

    /**
     * Per feature, whether too few reference rows stood for it to compare it; null in a PSI checkpointed before
     * reference rows could be picked per feature (all compared).
     */
    private final boolean[] uncompared;

    /** Counts of the current window, per feature and bin. */
    private final int[][] counts;
    private int inWindow;
    /**
     * SLIDING: bin of each feature of each row in the window, a row-major ring of {@link #ringRows()} rows that starts
     * at {@value #FIRST_RING_ROWS} and doubles as the window fills, up to {@code windowSize}; null for TUMBLING.
     */
    private byte[] ring;
    private int ringHead;
    /** TUMBLING: counts of the last complete window, or null before one completes. */
    private int[][] completed;
    private long observed;

    /**
     * A sliding window with {@value #DEFAULT_BINS} bins and epsilon {@value #DEFAULT_EPSILON}.
     *
     * @param reference  reference rows x features, at least one row, all of the same positive length
     * @param windowSize rows in the compared window, at least 1
     */
    public Psi(float[][] reference, int windowSize) {
        this(reference, DEFAULT_BINS, Window.SLIDING, windowSize, DEFAULT_EPSILON);
    }

    /**
     * @param reference  reference rows x features, at least one row, all of the same positive length
     * @param bins       quantile bins per feature before duplicate edges are merged, 2 to 100
     * @param mode       sliding or tumbling window
     * @param windowSize rows in the compared window, at least 1
     * @param epsilon    floor of a bin's proportion, in (0, 0.1]
     */
    public Psi(float[][] reference, int bins, Window mode, int windowSize, double epsilon) {
        this(reference, (row, column) -> true, bins, mode, windowSize, epsilon);
    }

    /**
     * Which reference rows stand for a feature's distribution: a row whose feature was computed from state that had
     * not yet warmed up (a 7-day count in a history's first days) does not.
     */
    @FunctionalInterface
    public interface ReferenceRows {
        /** @return whether reference row {@code row} stands for feature {@code feature} */
        boolean use(int row, int feature);
    }

    /**
     * A PSI whose reference for each feature is the rows {@code use} picks for it. A feature with fewer than
     * {@value #MIN_REFERENCE_ROWS} such rows is not compared: its PSI is NaN, and {@link #maxFeature} passes it by.
     *
     * @param reference  reference rows x features, at least one row, all of the same positive length
     * @param use        which rows stand for each feature (read only here)
     * @param bins       quantile bins per feature before duplicate edges are merged, 2 to 100
     * @param mode       sliding or tumbling window
     * @param windowSize rows in the compared window, at least 1
     * @param epsilon    floor of a bin's proportion, in (0, 0.1]
     */
    public Psi(float[][] reference, ReferenceRows use, int bins, Window mode, int windowSize, double epsilon) {
        if (reference == null || reference.length == 0) {
            throw new IllegalArgumentException("reference must have at least one row");
        }
        if (reference[0] == null || reference[0].length == 0) {
            throw new IllegalArgumentException("reference rows must have at least one feature");
        }
        int f = reference[0].length;
        for (int i = 0; i < reference.length; i++) {
            if (reference[i] == null || reference[i].length != f) {
                throw new IllegalArgumentException("reference[" + i + "] must have " + f + " features, had "
                        + (reference[i] == null ? "null" : reference[i].length));
            }
        }
        if (bins < 2 || bins > 100) {
            throw new IllegalArgumentException("bins must be in [2, 100], was " + bins);
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        if (windowSize < 1) {
            throw new IllegalArgumentException("windowSize must be at least 1, was " + windowSize);
        }
        if (!(epsilon > 0 && epsilon <= 0.1)) {
            throw new IllegalArgumentException("epsilon must be in (0, 0.1], was " + epsilon);
        }
        this.features = f;
        this.mode = mode;
        this.windowSize = windowSize;
        this.epsilon = epsilon;
        this.edges = new float[f][];
        this.expected = new double[f][];
        this.counts = new int[f][];
        this.uncompared = new boolean[f];
        float[] column = new float[reference.length];
        boolean[] used = new boolean[reference.length];
        for (int j = 0; j < f; j++) {
            int present = 0;
            int rows = 0;
            for (int i = 0; i < reference.length; i++) {
                used[i] = use.use(i, j);
                rows += used[i] ? 1 : 0;
                if (used[i] && !Float.isNaN(reference[i][j])) {
                    column[present++] = reference[i][j];
                }
            }
            uncompared[j] = rows < Math.min(MIN_REFERENCE_ROWS, reference.length);
            edges[j] = quantileEdges(column, present, bins);
            int nBins = edges[j].length + 2;
            int[] ref = new int[nBins];
            for (int i = 0; i < reference.length; i++) {
                if (used[i]) {
                    ref[bin(j, reference[i][j])]++;
                }
            }
            expected[j] = new double[nBins];
            for (int b = 0; b < nBins; b++) {
                expected[j][b] = rows == 0 ? 0 : (double) ref[b] / rows;
            }
            counts[j] = new int[nBins];
        }
        this.ring = mode == Window.SLIDING ? new byte[Math.multiplyExact(Math.min(windowSize, FIRST_RING_ROWS), f)] : null;
    }

    /** Distinct values at the k/bins quantiles (k = 1..bins-1) of the first n values of column. */
    private static float[] quantileEdges(float[] column, int n, int bins) {
        if (n == 0) {
            return new float[0]; // all missing: only the NaN bin and one value bin
        }
        float[] sorted = Arrays.copyOf(column, n);
        Arrays.sort(sorted);
        float[] out = new float[bins - 1];
        int k = 0;
        for (int q = 1; q < bins; q++) {
            // The smallest value with at least q/bins of the sample at or below it.
            int index = (int) Math.ceil((double) q * n / bins) - 1;
            float e = sorted[Math.max(0, Math.min(n - 1, index))];
            if (e == 0f) {
                e = 0f; // -0.0 and 0.0 are one edge
            }
            if (k == 0 || e > out[k - 1]) {
                out[k++] = e;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** Bin of value v of feature j: the first edge at or above v, edges.length above all, NaN last. */
    private int bin(int j, float v) {
        float[] e = edges[j];
        if (Float.isNaN(v)) {
            return e.length + 1;
        }
        int lo = 0;
        int hi = e.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (e[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Adds one row to the window, evicting the oldest (sliding) or starting a new window after a
     * full one (tumbling).
     *
     * @param row the features, as many as the reference has
     */
    public void observe(float[] row) {
        if (row == null || row.length != features) {
            throw new IllegalArgumentException("row must have " + features + " features, had "
                    + (row == null ? "null" : row.length));
        }
        observed++;
        if (mode == Window.TUMBLING) {
            if (inWindow == windowSize) {
                if (completed == null) {
                    completed = new int[features][];
                    for (int j = 0; j < features; j++) {
                        completed[j] = new int[counts[j].length];
                    }
                }
                for (int j = 0; j < features; j++) {
                    System.arraycopy(counts[j], 0, completed[j], 0, counts[j].length);
                    Arrays.fill(counts[j], 0);
                }
                inWindow = 0;
            }
            for (int j = 0; j < features; j++) {
                counts[j][bin(j, row[j])]++;
            }
            inWindow++;
            return;
        }
        if (inWindow == ringRows() && inWindow < windowSize) {
            growRing();
        }
        int base = ringHead * features;
        boolean full = inWindow == windowSize;
        for (int j = 0; j < features; j++) {
            if (full) {
                counts[j][ring[base + j]]--;
            }
            int b = bin(j, row[j]);
            counts[j][b]++;
            ring[base + j] = (byte) b;
        }
        if (!full) {
            inWindow++;
        }
        ringHead = ringHead + 1 == ringRows() ? 0 : ringHead + 1;
    }

    private int ringRows() {
        return ring.length / features;
    }

    /** Doubles a full ring (up to windowSize rows), its rows oldest first. */
    private void growRing() {
        int rows = ringRows();
        byte[] grown = new byte[Math.multiplyExact((int) Math.min(windowSize, 2L * rows), features)];
        int oldest = ringHead; // a full ring's head
        int firstPart = (rows - oldest) * features;
        System.arraycopy(ring, oldest * features, grown, 0, firstPart);
        System.arraycopy(ring, 0, grown, firstPart, oldest * features);
        ring = grown;
        ringHead = rows;
    }

    /**
     * Takes the oldest row out of a sliding window, so that a caller can keep a window shorter than
     * {@link #capacity()} (for example, the shortest recent one that spans enough entities).
     *
     * @throws IllegalStateException for a tumbling window, or an empty one
     */
    public void evictOldest() {
        if (mode != Window.SLIDING) {
            throw new IllegalStateException("only a sliding window can evict its oldest row");
        }
        if (inWindow == 0) {
            throw new IllegalStateException("the window is empty");
        }
        int oldest = ringHead - inWindow;
        int base = (oldest < 0 ? oldest + ringRows() : oldest) * features;
        for (int j = 0; j < features; j++) {
            counts[j][ring[base + j]]--;
        }
        inWindow--;
    }

    /** Tumbling: the current window once full, else the last complete one, else the partial one. */
    private int[][] comparedCounts() {
        boolean partialAfterComplete = mode == Window.TUMBLING && inWindow < windowSize && completed != null;
        return partialAfterComplete ? completed : counts;
    }

    private int comparedRows() {
        if (mode == Window.TUMBLING && inWindow < windowSize && completed != null) {
            return windowSize;
        }
        return inWindow;
    }

    /**
     * @return the PSI of each feature for the compared window, a new array; all NaN before any row
     */
    public double[] psi() {
        double[] out = new double[features];
        psi(out);
        return out;
    }

    /**
     * Allocation-free {@link #psi()}.
     *
     * @param out receives the PSI of each feature; length must be {@link #features()}
     */
    public void psi(double[] out) {
        if (out == null || out.length != features) {
            throw new IllegalArgumentException("out must have length " + features);
        }
        int[][] c = comparedCounts();
        int n = comparedRows();
        for (int j = 0; j < features; j++) {
            if (n == 0 || !compares(j)) {
                out[j] = Double.NaN;
                continue;
            }
            double sum = 0;
            double[] e = expected[j];
            for (int b = 0; b < e.length; b++) {
                double pe = Math.max(e[b], epsilon);
                double pa = Math.max((double) c[j][b] / n, epsilon);
                sum += (pa - pe) * Math.log(pa / pe);
            }
            out[j] = sum;
        }
    }

    /** @return the largest per-feature PSI, NaN before any row or when no feature is compared */
    public double max() {
        if (comparedRows() == 0) {
            return Double.NaN;
        }
        double[] p = psi();
        int best = argMax(p);
        return best < 0 ? Double.NaN : p[best];
    }

    /**
     * @param feature a feature index
     * @return whether enough reference rows stood for it to compare it (see the constructor with {@link ReferenceRows})
     */
    public boolean compares(int feature) {
        checkFeature(feature);
        return uncompared == null || !uncompared[feature];
    }

    /** @return the index of the feature with the largest PSI (lowest index on ties), -1 before any row */
    public int maxFeature() {
        return maxFeature(j -> true);
    }

    /**
     * @param compared which features to look at (a feature still warming up may be left out)
     * @return the index of the compared feature with the largest PSI (lowest index on ties), -1 before any row or
     *     when no feature is compared
     */
    public int maxFeature(java.util.function.IntPredicate compared) {
        Shift s = largestShift(compared);
        return s == null ? -1 : s.feature();
    }

    /** A feature and its PSI. */
    public record Shift(int feature, double psi) {
    }

    /**
     * {@link #maxFeature(java.util.function.IntPredicate)} with its PSI, from one computation of the index.
     *
     * @param compared which features to look at
     * @return the compared feature with the largest PSI (lowest index on ties), null before any row or when no feature
     *     is compared
     */
    public Shift largestShift(java.util.function.IntPredicate compared) {
        if (comparedRows() == 0) {
            return null;
        }
        double[] p = psi();
        int best = argMax(p, compared);
        return best < 0 ? null : new Shift(best, p[best]);
    }

    private static int argMax(double[] p) {
        return argMax(p, j -> true);
    }

    private static int argMax(double[] p, java.util.function.IntPredicate compared) {
        int best = -1;
        for (int j = 0; j < p.length; j++) {
            if (compared.test(j) && !Double.isNaN(p[j]) && (best < 0 || p[j] > p[best])) {
                best = j;
            }
        }
        return best;
    }

    /**
     * @param psi a PSI value
     * @return its common reading: stable below {@value #MODERATE}, a shift above {@value #SHIFT},
     *         moderate between
     */
    public static Level level(double psi) {
        if (Double.isNaN(psi)) {
            throw new IllegalArgumentException("psi must be a number");
        }
        return psi < MODERATE ? Level.STABLE : psi <= SHIFT ? Level.MODERATE : Level.SHIFT;
    }

    /** Empties the window (and a completed tumbling window); the reference stays. */
    public void clear() {
        for (int[] c : counts) {
            Arrays.fill(c, 0);
        }
        completed = null;
        inWindow = 0;
        ringHead = 0;
    }

    /** @return the number of features */
    public int features() {
        return features;
    }

    /** @return rows behind {@link #psi()} now */
    public int windowRows() {
        return comparedRows();
    }

    /**
     * @return whether this PSI's reference was picked per feature (see the constructor with {@link ReferenceRows});
     *     false for one restored from a checkpoint of a release before that
     */
    public boolean picksReferenceRows() {
        return uncompared != null;
    }

    /** @return the most rows a window holds: {@code windowSize} */
    public int capacity() {
        return windowSize;
    }

    /** @return rows observed since construction */
    public long observed() {
        return observed;
    }

    /**
     * @param feature a feature index
     * @return a copy of its distinct bin edges (value bins are (-inf, e0], (e0, e1], ..., (e_last, inf))
     */
    public float[] edges(int feature) {
        checkFeature(feature);
        return edges[feature].clone();
    }

    /**
     * @param feature a feature index
     * @return a copy of the reference proportions of its bins: the value bins, then the NaN bin
     */
    public double[] referenceProportions(int feature) {
        checkFeature(feature);
        return expected[feature].clone();
    }

    private void checkFeature(int feature) {
        if (feature < 0 || feature >= features) {
            throw new IllegalArgumentException("feature must be in [0, " + features + "), was " + feature);
        }
    }
}
