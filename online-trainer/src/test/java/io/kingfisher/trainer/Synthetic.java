package io.kingfisher.trainer;

import java.util.SplittableRandom;

/** Synthetic binary problems for trainer tests. */
final class Synthetic {

    /** Raw-feature scales and offsets: amounts, ratios, counts, like real event features. */
    private static final double[] SCALE = {1000, 0.01, 1, 50, 3, 1, 200, 0.5};
    private static final double[] OFFSET = {5000, -0.2, 0, 10, 1, 0, 100, 3};
    static final int FEATURES = SCALE.length;

    final float[][] x;
    final float[] y;

    private Synthetic(float[][] x, float[] y) {
        this.x = x;
        this.y = y;
    }

    /**
     * A learnable rare-event problem: the label depends non-linearly on four latent features
     * (one interaction), three features are noise, and all come at very different scales.
     *
     * @param intercept sets the base rate; -6.2 gives about 1% positives
     */
    static Synthetic learnable(int n, double intercept, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][FEATURES];
        float[] y = new float[n];
        double[] z = new double[FEATURES];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < FEATURES; j++) {
                z[j] = r.nextGaussian();
                x[i][j] = (float) (z[j] * SCALE[j] + OFFSET[j]);
            }
            double logit = intercept + 1.6 * z[0] + 1.1 * z[1] - 1.3 * z[2] + 0.9 * z[0] * z[3]
                    + 0.7 * Math.max(z[4], 0);
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
        }
        return new Synthetic(x, y);
    }

    /** Labels independent of the features, with the given positive rate. */
    static Synthetic noise(int n, double positiveRate, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][FEATURES];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = (float) (r.nextGaussian() * SCALE[j] + OFFSET[j]);
            }
            y[i] = r.nextDouble() < positiveRate ? 1f : 0f;
        }
        return new Synthetic(x, y);
    }

    double positiveRate() {
        double p = 0;
        for (float v : y) {
            p += v;
        }
        return p / y.length;
    }
}
