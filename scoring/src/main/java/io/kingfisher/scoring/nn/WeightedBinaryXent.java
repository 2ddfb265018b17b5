package io.kingfisher.scoring.nn;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Binary cross-entropy with a weight on the positive class that leaves the network's output a
 * calibrated probability.
 *
 * <p>Plain positive-class weighting ({@code w}) makes a well-fitted model predict odds that are
 * {@code w} times the true odds, so its scores are no longer probabilities. This loss applies
 * the weight to a logit shifted by {@code ln w}: with {@code z} the output layer's pre-activation
 * it evaluates
 *
 * <pre>  L = -( w·y·log q + (1-y)·log(1-q) ),   q = sigmoid(z + ln w)</pre>
 *
 * so the optimiser sees the re-weighted (balanced) problem, while the served output
 * {@code sigmoid(z)} keeps the original base rate (logit adjustment). With {@code w = 1} it is
 * exactly the ordinary binary cross-entropy.
 *
 * <p>The output layer must use a sigmoid activation. A labels mask, when present, multiplies the
 * per-example loss and gradient, so it can carry per-example importance weights as well as 0/1
 * masking. The probability inside the logarithm is clipped to {@code [1e-7, 1 - 1e-7]} for the
 * score only; the gradient is exact.
 */
public final class WeightedBinaryXent implements ILossFunction {

    private static final long serialVersionUID = 1L;
    private static final double CLIP_EPS = 1e-7;

    @JsonProperty("positiveWeight")
    private final double positiveWeight;

    /**
     * @param positiveWeight weight of positive examples relative to negatives; finite and {@code > 0}
     */
    @JsonCreator
    public WeightedBinaryXent(@JsonProperty("positiveWeight") double positiveWeight) {
        if (!(positiveWeight > 0) || Double.isInfinite(positiveWeight)) {
            throw new IllegalArgumentException("positiveWeight must be finite and > 0, was " + positiveWeight);
        }
        this.positiveWeight = positiveWeight;
    }

    /** @return the weight of positive examples relative to negatives */
    public double getPositiveWeight() {
        return positiveWeight;
    }

    private double logWeight() {
        return Math.log(positiveWeight);
    }

    private static void check(INDArray labels, INDArray preOutput, IActivation activationFn) {
        if (!(activationFn instanceof ActivationSigmoid)) {
            throw new IllegalStateException("WeightedBinaryXent needs a sigmoid output activation, got " + activationFn);
        }
        if (labels.rank() != 2 || preOutput.rank() != 2 || labels.size(0) != preOutput.size(0)
                || labels.size(1) != preOutput.size(1)) {
            throw new IllegalArgumentException("labels shape " + java.util.Arrays.toString(labels.shape())
                    + " does not match output shape " + java.util.Arrays.toString(preOutput.shape()));
        }
    }

    /** Per-element log-likelihood (the negative loss), masked. */
    private INDArray logLikelihood(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        check(labels, preOutput, activationFn);
        INDArray q = Transforms.sigmoid(preOutput.add(logWeight()), false);
        Transforms.max(q, CLIP_EPS, false);
        Transforms.min(q, 1.0 - CLIP_EPS, false);
        INDArray logQ = Transforms.log(q, true);
        INDArray log1mQ = Transforms.log(q.rsubi(1.0), false);
        INDArray ll = logQ.muli(labels).muli(positiveWeight);
        ll.addi(log1mQ.muli(labels.rsub(1.0)));
        if (mask != null) {
            LossUtil.applyMask(ll, mask);
        }
        return ll;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        INDArray ll = logLikelihood(labels, preOutput, activationFn, mask);
        double score = -ll.sumNumber().doubleValue();
        return average ? score / ll.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return logLikelihood(labels, preOutput, activationFn, mask).sum(true, 1).negi();
    }

    /**
     * dL/dz = q·(w·y + 1 - y) - w·y with q = sigmoid(z + ln w); reduces to {@code p - y} for w = 1.
     */
    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        check(labels, preOutput, activationFn);
        INDArray q = Transforms.sigmoid(preOutput.add(logWeight()), false);
        INDArray wy = labels.mul(positiveWeight);
        INDArray grad = q.muli(wy.add(1.0).subi(labels)).subi(wy);
        if (mask != null) {
            LossUtil.applyMask(grad, mask);
        }
        return grad;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                          IActivation activationFn, INDArray mask,
                                                          boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightedBinaryXent other
                && Double.compare(positiveWeight, other.positiveWeight) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(positiveWeight);
    }

    @Override
    public String toString() {
        return "WeightedBinaryXent(positiveWeight=" + positiveWeight + ")";
    }
}
