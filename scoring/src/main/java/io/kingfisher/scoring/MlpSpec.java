package io.kingfisher.scoring;

import java.util.Arrays;

/**
 * Everything {@link Architectures#mlp(MlpSpec)} needs to build a binary-classification MLP:
 * layer sizes, seed, optimiser settings, class weighting, output-bias initialisation, the
 * optional fixed input standardisation and the optional embedded id columns in front
 * ({@link IdEmbeddings}). Immutable; build it with {@link #builder(int, int...)}.
 */
public final class MlpSpec {

    private final int inputs;
    private final int[] hidden;
    private final long seed;
    private final double learningRate;
    private final double l2;
    private final double positiveWeight;
    private final double outputBias;
    private final float[] featureMean;
    private final float[] featureStd;
    private final IdEmbeddings embeddings;

    private MlpSpec(Builder b) {
        this.inputs = b.inputs;
        this.hidden = b.hidden.clone();
        this.seed = b.seed;
        this.learningRate = b.learningRate;
        this.l2 = b.l2;
        this.positiveWeight = b.positiveWeight;
        this.outputBias = b.outputBias;
        this.embeddings = b.embeddings;
        float[] mean = b.featureMean == null ? null : b.featureMean.clone();
        float[] std = b.featureStd == null ? null : b.featureStd.clone();
        if (mean != null && embeddings != null) {
            // Id columns are hashed ids, not quantities: they are never scaled.
            for (int i = 0; i < embeddings.idColumns(); i++) {
                mean[i] = 0f;
                std[i] = 1f;
            }
        }
        this.featureMean = mean;
        this.featureStd = std;
    }

    /**
     * @param inputs number of input features, {@code > 0}
     * @param hidden hidden layer widths, each {@code > 0}; empty gives logistic regression
     * @return a builder with defaults: seed 42, Adam learning rate 1e-3, no L2, positive weight 1,
     *     output bias 0, no standardisation
     */
    public static Builder builder(int inputs, int... hidden) {
        return new Builder(inputs, hidden);
    }

    /** @return number of input features */
    public int inputs() {
        return inputs;
    }

    /** @return a copy of the hidden layer widths */
    public int[] hidden() {
        return hidden.clone();
    }

    /** @return seed for weight initialisation */
    public long seed() {
        return seed;
    }

    /** @return Adam learning rate */
    public double learningRate() {
        return learningRate;
    }

    /** @return L2 penalty on weights (not biases); 0 disables */
    public double l2() {
        return l2;
    }

    /** @return weight of positive examples in the loss, see {@link io.kingfisher.scoring.nn.WeightedBinaryXent} */
    public double positiveWeight() {
        return positiveWeight;
    }

    /** @return initial bias of the output unit (a logit) */
    public double outputBias() {
        return outputBias;
    }

    /** @return a copy of the feature means for the fixed standardisation step, or null if none */
    public float[] featureMean() {
        return featureMean == null ? null : featureMean.clone();
    }

    /** @return a copy of the feature standard deviations, or null if no standardisation */
    public float[] featureStd() {
        return featureStd == null ? null : featureStd.clone();
    }

    /** @return the embedded id columns in front of the MLP, or null for a plain MLP */
    public IdEmbeddings embeddings() {
        return embeddings;
    }

    @Override
    public String toString() {
        return "MlpSpec{" + Architectures.mlpDescription(inputs, hidden)
                + (embeddings == null ? "" : "+" + embeddings.describe()) + ", seed=" + seed + ", lr=" + learningRate
                + ", l2=" + l2 + ", positiveWeight=" + positiveWeight + ", outputBias=" + outputBias
                + ", standardized=" + (featureMean != null) + "}";
    }

    /** Builder for {@link MlpSpec}; every setter validates its argument. */
    public static final class Builder {
        private final int inputs;
        private final int[] hidden;
        private long seed = 42L;
        private double learningRate = 1e-3;
        private double l2;
        private double positiveWeight = 1.0;
        private double outputBias;
        private float[] featureMean;
        private float[] featureStd;
        private IdEmbeddings embeddings;

        private Builder(int inputs, int[] hidden) {
            if (inputs <= 0) {
                throw new IllegalArgumentException("inputs must be > 0, was " + inputs);
            }
            if (hidden == null) {
                throw new IllegalArgumentException("hidden must not be null");
            }
            for (int i = 0; i < hidden.length; i++) {
                if (hidden[i] <= 0) {
                    throw new IllegalArgumentException("hidden[" + i + "] must be > 0, was " + hidden[i]);
                }
            }
            this.inputs = inputs;
            this.hidden = hidden.clone();
        }

        /** @param seed weight-initialisation seed */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param learningRate Adam learning rate, finite and {@code > 0} */
        public Builder learningRate(double learningRate) {
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, was " + learningRate);
            }
            this.learningRate = learningRate;
            return this;
        }

        /** @param l2 L2 penalty on weights, finite and {@code >= 0} */
        public Builder l2(double l2) {
            if (!(l2 >= 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("l2 must be finite and >= 0, was " + l2);
            }
            this.l2 = l2;
            return this;
        }

        /** @param positiveWeight weight of positives in the loss, finite and {@code > 0} */
        public Builder positiveWeight(double positiveWeight) {
            if (!(positiveWeight > 0) || Double.isInfinite(positiveWeight)) {
                throw new IllegalArgumentException("positiveWeight must be finite and > 0, was " + positiveWeight);
            }
            this.positiveWeight = positiveWeight;
            return this;
        }

        /**
         * @param outputBias initial output logit; {@code ln(pos/neg)} of the training data starts the
         *     model at the base rate, which matters for rare labels
         */
        public Builder outputBias(double outputBias) {
            if (!Double.isFinite(outputBias)) {
                throw new IllegalArgumentException("outputBias must be finite, was " + outputBias);
            }
            this.outputBias = outputBias;
            return this;
        }

        /**
         * Adds a fixed first step {@code (x - mean) / std} so the network takes raw features.
         *
         * @param mean per-feature mean, length {@code inputs}
         * @param std  per-feature standard deviation ({@code > 0}), length {@code inputs}
         */
        public Builder standardize(float[] mean, float[] std) {
            if (mean == null || std == null || mean.length != inputs || std.length != inputs) {
                throw new IllegalArgumentException("mean and std must both have length " + inputs + ", were "
                        + (mean == null ? "null" : mean.length) + " and " + (std == null ? "null" : std.length));
            }
            this.featureMean = mean.clone();
            this.featureStd = std.clone();
            return this;
        }

        /**
         * Embeds the first {@code embeddings.idColumns()} columns (hashed ids) in trainable tables in front of the
         * MLP; with {@link #standardize} those columns are left unscaled.
         *
         * @param embeddings the tables, or null for none
         */
        public Builder embeddings(IdEmbeddings embeddings) {
            if (embeddings != null && embeddings.idColumns() > inputs) {
                throw new IllegalArgumentException("embeddings need " + embeddings.idColumns() + " id columns but rows have "
                        + inputs + " inputs");
            }
            this.embeddings = embeddings;
            return this;
        }

        /** @return the immutable spec */
        public MlpSpec build() {
            return new MlpSpec(this);
        }

        @Override
        public String toString() {
            return "MlpSpec.Builder{inputs=" + inputs + ", hidden=" + Arrays.toString(hidden) + "}";
        }
    }
}
