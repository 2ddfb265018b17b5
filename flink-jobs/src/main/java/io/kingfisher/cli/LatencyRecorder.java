package io.kingfisher.cli;

import java.util.Arrays;

/** Records latencies (ms) and answers percentiles over everything and over the values since the last {@link #window()} reset. */
final class LatencyRecorder {
    private long[] all = new long[1 << 14];
    private int n;
    private int windowStart;

    void record(long ms) {
        if (n == all.length) {
            all = Arrays.copyOf(all, all.length * 2);
        }
        all[n++] = Math.max(0, ms);
    }

    int count() {
        return n;
    }

    /** Percentile (0..100) of everything recorded; NaN when empty. */
    double percentile(double p) {
        return percentile(0, n, p);
    }

    /** Percentiles of the values since the previous call; NaN when none. */
    double[] window(double... ps) {
        double[] out = new double[ps.length];
        for (int i = 0; i < ps.length; i++) {
            out[i] = percentile(windowStart, n, ps[i]);
        }
        windowStart = n;
        return out;
    }

    private double percentile(int from, int to, double p) {
        if (to <= from) {
            return Double.NaN;
        }
        long[] copy = Arrays.copyOfRange(all, from, to);
        Arrays.sort(copy);
        return nearestRank(copy, p);
    }

    /** The nearest-rank percentile (0..100) of values sorted ascending, at least one. */
    static long nearestRank(long[] sorted, double p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
