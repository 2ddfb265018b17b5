package io.kingfisher.scoring;

import io.kingfisher.scoring.nn.WeightedBinaryXent;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/** Small deterministic networks and data for scoring tests. */
public final class TestData {

    private TestData() {
    }

    /** Row-major features, {@code rows x cols}, with per-column offsets and scales. */
    public static float[] features(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[i * cols + j] = (float) (r.nextGaussian() * (1 + j) + j);
            }
        }
        return x;
    }

    /** A standardized MLP trained for a few steps, so parameters and updater state are not at their init. */
    public static MultiLayerNetwork trainedMlp(int inputs, int[] hidden, long seed) {
        float[] mean = new float[inputs];
        float[] std = new float[inputs];
        for (int j = 0; j < inputs; j++) {
            mean[j] = j;
            std[j] = 1 + j;
        }
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(inputs, hidden).seed(seed)
                .learningRate(1e-2).l2(1e-4).positiveWeight(3.0).outputBias(-1.0)
                .standardize(mean, std).build());
        int rows = 64;
        float[] x = features(rows, inputs, seed + 1);
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = x[i * inputs] > 0.5f ? 1f : 0f;
        }
        for (int step = 0; step < 5; step++) {
            net.fit(Nd4j.create(x, new long[] {rows, inputs}, 'c'), Nd4j.create(y, new long[] {rows, 1}, 'c'));
        }
        return net;
    }

    /** @return the loss of the network's output layer */
    public static WeightedBinaryXent loss(MultiLayerNetwork net) {
        return (WeightedBinaryXent) ((org.deeplearning4j.nn.conf.layers.OutputLayer) net.getLayerWiseConfigurations()
                .getConf(net.getnLayers() - 1).getLayer()).getLossFn();
    }
}
