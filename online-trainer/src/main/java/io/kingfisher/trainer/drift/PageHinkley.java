package io.kingfisher.trainer.drift;

import java.io.Serializable;

/**
 * The Page-Hinkley test for an increase in the mean of a stream, e.g. the per-example log loss of
 * the served model: a rising loss means the world moved away from what the model learned.
 *
 * <p>With {@code mean_t} the running mean of the values so far, the test keeps
 * {@code m_t = alpha * m_(t-1) + (x_t - mean_t - delta)} (with {@code m_0 = 0}) and its minimum
 * {@code M_t = min(0, m_1, ..., m_t)}; the statistic is {@code PH_t = m_t - M_t}. A change is
 * signalled when {@code PH_t > lambda} after at least {@code minInstances} values, and then the
 * test starts over, so the next detection measures against the new level.
 *
 * <p>{@code delta} is the magnitude of change that is tolerated (per value); {@code lambda} trades
 * detection delay against false alarms; {@code alpha < 1} makes old deviations fade geometrically
 * (the cumulative sum is multiplied by alpha before each step; {@code 1} means no forgetting).
 *
 * <p>Choosing lambda: on a stable stream with per-value standard deviation sigma, the statistic
 * behaves like a random walk with drift {@code -delta} reflected at 0, whose tail is roughly
 * {@code P(PH > lambda) ~ exp(-2 delta lambda / sigma^2)}. Per-example log loss is noisy (sigma^2
 * around 0.4 for a 10% positive rate), so the textbook lambda = 50 with delta = 0.005 (meant for
 * 0/1 errors) raises false alarms on it; pick {@code lambda >= sigma^2 * 20 / (2 delta)}, or feed
 * means over small batches of examples instead. A shift of the mean by {@code d > delta} is then
 * detected after about {@code lambda / (d - delta)} values.
 *
 * <p>O(1) per value, no allocation, serializable for checkpoints. Not thread-safe.
 */
public final class PageHinkley implements Serializable {

    private static final long serialVersionUID = 1L;

    private final double delta;
    private final double lambda;
    private final int minInstances;
    private final double alpha;

    private long n;
    private double mean;
    private double sum;
    private double min;
    private long detections;

    /**
     * @param delta        tolerated change of the mean per value, at least 0
     * @param lambda       detection threshold of the statistic, above 0
     * @param minInstances values to see after a (re)start before a detection may fire, at least 1
     * @param alpha        forgetting factor of the cumulative deviation, in (0, 1]; 1 is none
     */
    public PageHinkley(double delta, double lambda, int minInstances, double alpha) {
        if (!(delta >= 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("delta must be finite and at least 0, was " + delta);
        }
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be finite and above 0, was " + lambda);
        }
        if (minInstances < 1) {
            throw new IllegalArgumentException("minInstances must be at least 1, was " + minInstances);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], was " + alpha);
        }
        this.delta = delta;
        this.lambda = lambda;
        this.minInstances = minInstances;
        this.alpha = alpha;
    }

    /**
     * Feeds one value.
     *
     * @param x the next value, finite
     * @return true when this value completes the detection of an increase; the state is then reset
     */
    public boolean update(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("x must be finite, was " + x);
        }
        n++;
        mean += (x - mean) / n;
        sum = alpha * sum + (x - mean - delta);
        if (sum < min) {
            min = sum;
        }
        if (n >= minInstances && sum - min > lambda) {
            detections++;
            reset();
            return true;
        }
        return false;
    }

    /** Starts over as if no value had been seen; the detection count is kept. */
    public void reset() {
        n = 0;
        mean = 0;
        sum = 0;
        min = 0;
    }

    /** @return the statistic {@code m_t - M_t}, 0 right after a (re)start */
    public double statistic() {
        return sum - min;
    }

    /** @return the running mean since the last (re)start, 0 before any value */
    public double mean() {
        return mean;
    }

    /** @return values seen since the last (re)start */
    public long count() {
        return n;
    }

    /** @return detections since construction */
    public long detections() {
        return detections;
    }

    public double delta() {
        return delta;
    }

    public double lambda() {
        return lambda;
    }

    public int minInstances() {
        return minInstances;
    }

    public double alpha() {
        return alpha;
    }

    @Override
    public String toString() {
        return String.format("PageHinkley[n=%d, mean=%.5f, statistic=%.5f, lambda=%s, detections=%d]", n, mean,
                statistic(), lambda, detections);
    }
}
