package io.kingfisher.sim;

import java.util.SplittableRandom;

/** The draws the simulators make, from one seeded generator (not thread-safe; one per simulator stream). */
final class Rng {
    private final SplittableRandom random;

    Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** @return uniform in {@code [0, 1)} */
    double uniform() {
        return random.nextDouble();
    }

    /** @return uniform in {@code [from, to)} */
    double uniform(double from, double to) {
        return from + (to - from) * random.nextDouble();
    }

    /** @return uniform in {@code [0, n)} */
    int nextInt(int n) {
        return random.nextInt(n);
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    /** @return standard normal (Box-Muller) */
    double gaussian() {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** @return exponential with the given mean */
    double exponential(double mean) {
        return -Math.log(1 - random.nextDouble()) * mean;
    }

    /** @return log-normal with the given median and log-scale sigma */
    double logNormal(double median, double sigma) {
        return median * Math.exp(sigma * gaussian());
    }

    /** @return Poisson with mean {@code lambda} (Knuth; small lambdas) */
    int poisson(double lambda) {
        double l = Math.exp(-lambda);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** @return an index drawn by the weights (which sum to about 1) */
    int pick(double[] weights) {
        double u = random.nextDouble();
        double acc = 0;
        for (int i = 0; i < weights.length; i++) {
            acc += weights[i];
            if (u < acc) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** @return a new generator split off this one (an independent stream) */
    Rng split() {
        return new Rng(random.nextLong());
    }
}
