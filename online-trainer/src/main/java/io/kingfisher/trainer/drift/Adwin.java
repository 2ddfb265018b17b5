package io.kingfisher.trainer.drift;

import java.io.Serializable;
import java.util.ArrayList;

/**
 * ADWIN (ADaptive WINdowing, Bifet and Gavalda 2007): keeps a window of recent values whose length
 * adapts to change; whenever two sub-windows, older and newer, have means that differ by more than
 * a bound depending on their sizes and variance, the older part is dropped and a change is
 * reported. Unlike {@link PageHinkley} it needs no threshold in the units of the stream and reports
 * changes in either direction ({@link #lastChangeWasIncrease()} tells which), and its window is an
 * estimate of the current mean over the data since the last change.
 *
 * <p>The window is stored as an exponential histogram (buckets of 1, 2, 4, ... values, at most
 * {@code maxBuckets} of each size), so memory and time are O(maxBuckets log W). Cut points are
 * checked every {@value #CLOCK} values. The bound assumes values in a bounded range, ideally
 * [0, 1] (0/1 errors, a clipped or scaled loss). {@code delta} is the confidence: smaller means
 * fewer false alarms and later detections.
 *
 * <p>Serializable for checkpoints; not thread-safe.
 */
public final class Adwin implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Values between checks for a cut. */
    public static final int CLOCK = 32;

    /** No cut is checked while the window is this short or shorter. */
    private static final int MIN_WINDOW = 10;

    /** Each side of a cut must hold at least this many values. */
    private static final int MIN_SUB_WINDOW = 5;

    /** Buckets of one size, oldest first. */
    private static final class Row implements Serializable {
        private static final long serialVersionUID = 1L;
        final double[] total;
        final double[] variance;
        int count;

        Row(int capacity) {
            total = new double[capacity];
            variance = new double[capacity];
        }

        void append(double t, double v) {
            total[count] = t;
            variance[count] = v;
            count++;
        }

        void removeOldest(int k) {
            System.arraycopy(total, k, total, 0, count - k);
            System.arraycopy(variance, k, variance, 0, count - k);
            count -= k;
        }
    }

    private final double delta;
    private final int maxBuckets;
    /** rows.get(i) holds buckets of 2^i values; higher rows are older. */
    private final ArrayList<Row> rows = new ArrayList<>();
    private long width;
    private double total;
    /** Sum of squared deviations from the mean over the window. */
    private double variance;
    private long seen;
    private long detections;
    private boolean lastIncrease;

    /** @return ADWIN with the customary delta 0.002 and 5 buckets per size */
    public static Adwin withDefaults() {
        return new Adwin(0.002, 5);
    }

    /**
     * @param delta      confidence of a detection, in (0, 1)
     * @param maxBuckets buckets of each size before two are merged, at least 2
     */
    public Adwin(double delta, int maxBuckets) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), was " + delta);
        }
        if (maxBuckets < 2) {
            throw new IllegalArgumentException("maxBuckets must be at least 2, was " + maxBuckets);
        }
        this.delta = delta;
        this.maxBuckets = maxBuckets;
        rows.add(new Row(maxBuckets + 1));
    }

    /**
     * Adds a value.
     *
     * @param x the next value, finite
     * @return true when the window was cut because the mean changed
     */
    public boolean update(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("x must be finite, was " + x);
        }
        width++;
        if (width > 1) {
            double d = x - total / (width - 1);
            variance += (width - 1) * d * d / width;
        }
        total += x;
        rows.get(0).append(x, 0);
        compress();
        seen++;
        if (seen % CLOCK == 0 && width > MIN_WINDOW) {
            boolean changed = false;
            while (cutOnce()) {
                changed = true;
            }
            if (changed) {
                detections++;
                return true;
            }
        }
        return false;
    }

    /** Merges the two oldest buckets of any row that has one too many into the next row. */
    private void compress() {
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (row.count <= maxBuckets) {
                return;
            }
            if (i + 1 == rows.size()) {
                rows.add(new Row(maxBuckets + 1));
            }
            double n = Math.pow(2, i);
            double t1 = row.total[0];
            double t2 = row.total[1];
            double d = t1 / n - t2 / n;
            double v = row.variance[0] + row.variance[1] + n * n * d * d / (2 * n);
            row.removeOldest(2);
            rows.get(i + 1).append(t1 + t2, v);
        }
    }

    /** Looks for one cut, oldest side growing; drops the oldest bucket and returns true if found. */
    private boolean cutOnce() {
        double n0 = 0;
        double sum0 = 0;
        double dd = Math.log(2 * Math.log(width) / delta);
        double v = variance / width;
        for (int i = rows.size() - 1; i >= 0; i--) {
            Row row = rows.get(i);
            double size = Math.pow(2, i);
            for (int k = 0; k < row.count; k++) {
                n0 += size;
                sum0 += row.total[k];
                double n1 = width - n0;
                if (n1 < MIN_SUB_WINDOW) {
                    return false;
                }
                if (n0 < MIN_SUB_WINDOW) {
                    continue;
                }
                double u0 = sum0 / n0;
                double u1 = (total - sum0) / n1;
                double m = 1 / (n0 - MIN_SUB_WINDOW + 1) + 1 / (n1 - MIN_SUB_WINDOW + 1);
                double eps = Math.sqrt(2 * m * v * dd) + 2.0 / 3 * dd * m;
                if (Math.abs(u1 - u0) > eps) {
                    lastIncrease = u1 > u0;
                    dropOldest();
                    return true;
                }
            }
        }
        return false;
    }

    private void dropOldest() {
        int last = rows.size() - 1;
        Row row = rows.get(last);
        double n1 = Math.pow(2, last);
        double t = row.total[0];
        double v = row.variance[0];
        row.removeOldest(1);
        if (row.count == 0 && last > 0) {
            rows.remove(last);
        }
        width -= (long) n1;
        total -= t;
        if (width == 0) {
            variance = 0;
            return;
        }
        double u1 = t / n1;
        double d = u1 - total / width;
        variance = Math.max(0, variance - v - n1 * width * d * d / (n1 + width));
    }

    /** @return values in the window, i.e. since the last change (or the start) */
    public long width() {
        return width;
    }

    /** @return the mean over the window, NaN when empty */
    public double mean() {
        return width == 0 ? Double.NaN : total / width;
    }

    /** @return the variance over the window, NaN when empty */
    public double variance() {
        return width == 0 ? Double.NaN : variance / width;
    }

    /** @return changes detected since construction */
    public long detections() {
        return detections;
    }

    /** @return whether the newer part's mean was above the older part's at the last change */
    public boolean lastChangeWasIncrease() {
        return lastIncrease;
    }

    public double delta() {
        return delta;
    }

    @Override
    public String toString() {
        return String.format("Adwin[width=%d, mean=%.5f, detections=%d]", width, mean(), detections);
    }
}
