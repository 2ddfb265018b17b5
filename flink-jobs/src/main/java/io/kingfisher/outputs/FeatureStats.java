package io.kingfisher.outputs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Running mean and variance of every feature over the scores one subtask has seen (Welford), and the reasons an
 * alert gives from them: the features of the alerted event furthest from the population average, in standard
 * deviations ({@code z = (x - mean) / std}).
 *
 * <p><b>What a reason is and is not.</b> A reason says what is unusual about the event (its amount is 6 standard
 * deviations above the average, it is the card's first foreign payment), which is what a reviewer looks at first. It
 * is not an attribution: it does not know how much the model relied on the feature; explanations from the model are
 * another issue. Reasons are given once {@link #MIN_COUNT} events have been seen, so that the averages mean
 * something; before that, and after a restart (the statistics are not checkpointed and rebuild from the stream),
 * an alert has no reasons. Not thread-safe.
 */
public final class FeatureStats {
    /** Events needed before reasons are given. */
    public static final long MIN_COUNT = 200;
    /** Standard deviations below this make a feature constant: it never gives a reason. */
    private static final double MIN_STD = 1e-9;

    private final double[] mean;
    private final double[] m2;
    private long count;

    /** @param width features per event */
    public FeatureStats(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be >= 1, was " + width);
        }
        this.mean = new double[width];
        this.m2 = new double[width];
    }

    /** @return events observed */
    public long count() {
        return count;
    }

    /**
     * Adds one event; a vector of another width or with a non-finite value is skipped.
     *
     * @param x the event's features
     */
    public void observe(List<Float> x) {
        if (x.size() != mean.length) {
            return;
        }
        for (Float v : x) {
            if (v == null || !Float.isFinite(v)) {
                return;
            }
        }
        count++;
        for (int i = 0; i < mean.length; i++) {
            double v = x.get(i);
            double d = v - mean[i];
            mean[i] += d / count;
            m2[i] += d * (v - mean[i]);
        }
    }

    /** @return the running mean of feature {@code i} */
    public double mean(int i) {
        return mean[i];
    }

    /** @return the running (population) standard deviation of feature {@code i} */
    public double std(int i) {
        return count == 0 ? 0 : Math.sqrt(m2[i] / count);
    }

    /**
     * One reason: a feature, its value in the event and how far that is from the average.
     *
     * @param feature the feature's name
     * @param value   its value in the alerted event
     * @param z       {@code (value - mean) / std}, signed
     */
    public record Reason(String feature, double value, double z) {
    }

    /**
     * @param x     the alerted event's features
     * @param names the feature names, one per feature
     * @param k     most reasons to give
     * @return up to {@code k} features, largest {@code |z|} first, with {@code |z| >= 1}; empty before
     *     {@link #MIN_COUNT} events or for a vector of another width
     */
    public List<Reason> reasons(List<Float> x, List<String> names, int k) {
        if (count < MIN_COUNT || x.size() != mean.length || names.size() != mean.length || k < 1) {
            return List.of();
        }
        List<Reason> all = new ArrayList<>();
        for (int i = 0; i < mean.length; i++) {
            double std = std(i);
            Float v = x.get(i);
            if (std < MIN_STD || v == null || !Float.isFinite(v)) {
                continue;
            }
            double z = (v - mean[i]) / std;
            if (Math.abs(z) >= 1) {
                all.add(new Reason(names.get(i), v, z));
            }
        }
        all.sort(Comparator.comparingDouble((Reason r) -> -Math.abs(r.z())).thenComparing(Reason::feature));
        return all.size() <= k ? all : List.copyOf(all.subList(0, k));
    }
}
