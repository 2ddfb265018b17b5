package io.kingfisher.scoring.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.MlpSpec;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;

class WeightedBinaryXentTest {

    private static final INDArray Z = Nd4j.createFromArray(new double[][] {{-3.0}, {-0.5}, {0.2}, {1.7}, {4.0}});
    private static final INDArray Y = Nd4j.createFromArray(new double[][] {{0.0}, {1.0}, {0.0}, {1.0}, {1.0}});

    @Test
    void weightOneIsPlainBinaryCrossEntropy() {
        WeightedBinaryXent weighted = new WeightedBinaryXent(1.0);
        LossBinaryXENT plain = new LossBinaryXENT();
        ActivationSigmoid sigmoid = new ActivationSigmoid();
        assertEquals(plain.computeScore(Y, Z.dup(), sigmoid, null, true),
                weighted.computeScore(Y, Z.dup(), sigmoid, null, true), 1e-6);
        assertArrayEquals(plain.computeGradient(Y, Z.dup(), sigmoid, null).toDoubleVector(),
                weighted.computeGradient(Y, Z.dup(), sigmoid, null).toDoubleVector(), 1e-6);
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheScore() {
        WeightedBinaryXent loss = new WeightedBinaryXent(7.5);
        ActivationSigmoid sigmoid = new ActivationSigmoid();
        double[] analytic = loss.computeGradient(Y, Z.dup(), sigmoid, null).toDoubleVector();
        double h = 1e-6;
        for (int i = 0; i < Z.rows(); i++) {
            INDArray plus = Z.dup();
            plus.putScalar(i, 0, Z.getDouble(i, 0) + h);
            INDArray minus = Z.dup();
            minus.putScalar(i, 0, Z.getDouble(i, 0) - h);
            double numeric = (loss.computeScore(Y, plus, sigmoid, null, false)
                    - loss.computeScore(Y, minus, sigmoid, null, false)) / (2 * h);
            assertEquals(numeric, analytic[i], 1e-5, "row " + i);
        }
    }

    @Test
    void positivesWeighMoreAndTheOptimumStaysCalibrated() {
        // For a constant logit z and base rate p, the loss is minimised at sigmoid(z) = p for any weight.
        double p = 0.02;
        double w = 20.0;
        WeightedBinaryXent loss = new WeightedBinaryXent(w);
        ActivationSigmoid sigmoid = new ActivationSigmoid();
        INDArray labels = Nd4j.createFromArray(new double[][] {{1.0}, {0.0}});
        INDArray mask = Nd4j.createFromArray(new double[][] {{p}, {1 - p}});
        double zStar = Math.log(p / (1 - p));
        INDArray grad = loss.computeGradient(labels, Nd4j.valueArrayOf(new long[] {2, 1}, zStar), sigmoid, mask);
        assertEquals(0.0, grad.sumNumber().doubleValue(), 1e-6, "plain weighting would give p(1-p)(1-w) = -0.37");

        INDArray one = Nd4j.createFromArray(new double[][] {{0.0}});
        double positive = loss.computeScore(Nd4j.ones(1, 1), one.dup(), sigmoid, null, true);
        double negative = loss.computeScore(Nd4j.zeros(1, 1), one.dup(), sigmoid, null, true);
        assertEquals(w * Math.log1p(1 / w), positive, 1e-9);
        assertEquals(Math.log1p(w), negative, 1e-9);
    }

    @Test
    void maskScalesPerExampleLoss() {
        WeightedBinaryXent loss = new WeightedBinaryXent(2.0);
        ActivationSigmoid sigmoid = new ActivationSigmoid();
        INDArray mask = Nd4j.createFromArray(new double[][] {{1.0}, {0.0}, {2.0}, {1.0}, {1.0}});
        double[] unmasked = loss.computeScoreArray(Y, Z.dup(), sigmoid, null).toDoubleVector();
        double[] masked = loss.computeScoreArray(Y, Z.dup(), sigmoid, mask).toDoubleVector();
        assertEquals(0.0, masked[1], 0.0);
        assertEquals(2 * unmasked[2], masked[2], 1e-12);
        assertEquals(unmasked[0], masked[0], 1e-12);
    }

    @Test
    void rejectsOtherActivationsAndBadWeights() {
        WeightedBinaryXent loss = new WeightedBinaryXent(2.0);
        assertThrows(IllegalStateException.class, () -> loss.computeScore(Y, Z, new ActivationTanH(), null, true));
        assertThrows(IllegalArgumentException.class, () -> new WeightedBinaryXent(0));
        assertThrows(IllegalArgumentException.class, () -> new WeightedBinaryXent(Double.NaN));
    }

    @Test
    void survivesTheConfigurationJsonRoundTrip() {
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(3, 4).positiveWeight(12.5)
                .standardize(new float[] {1f, 2f, 3f}, new float[] {0.5f, 1f, 2f}).build());
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(new WeightedBinaryXent(12.5),
                ((org.deeplearning4j.nn.conf.layers.OutputLayer) back.getConf(1).getLayer()).getLossFn());
        assertEquals(new StandardizingPreProcessor(new float[] {1f, 2f, 3f}, new float[] {0.5f, 1f, 2f}),
                back.getInputPreProcess(0));
    }
}
