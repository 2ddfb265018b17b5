package io.kingfisher.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ArchitecturesTest {

    @Test
    void describesTheLayerSizes() {
        MultiLayerNetwork net = Architectures.mlp(12, new int[] {32, 16}, 1L);
        assertEquals("mlp(12-32-16-1)", Architectures.describe(net));
        assertEquals(12, Architectures.inputSize(net));
        assertEquals("mlp(3-1)", Architectures.describe(Architectures.mlp(3, new int[0], 1L)));
        assertEquals(12 * 32 + 32 + 32 * 16 + 16 + 16 + 1, net.numParams());
    }

    @Test
    void refusesToDescribeOtherNetworks() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(3).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.describe(net));
        assertTrue(e.getMessage().contains("layer 0"), e.getMessage());
    }

    @Test
    void sameSeedGivesSameInitialParameters() {
        assertEquals(Architectures.mlp(5, new int[] {4}, 7L).params(), Architectures.mlp(5, new int[] {4}, 7L).params());
        assertTrue(!Architectures.mlp(5, new int[] {4}, 7L).params().equals(Architectures.mlp(5, new int[] {4}, 8L).params()));
    }

    @Test
    void standardizationIsAFixedFirstStepOnRawFeatures() {
        float[] mean = {10f, -2f, 0.5f};
        float[] std = {4f, 0.25f, 1f};
        MultiLayerNetwork scaled = Architectures.mlp(MlpSpec.builder(3, 5).seed(3L).standardize(mean, std).build());
        MultiLayerNetwork plain = Architectures.mlp(MlpSpec.builder(3, 5).seed(3L).build());
        assertEquals(plain.params(), scaled.params());

        float[] raw = TestData.features(6, 3, 11L);
        float[] standardized = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            standardized[i] = (raw[i] - mean[i % 3]) / std[i % 3];
        }
        INDArray a = scaled.output(Nd4j.create(raw, new long[] {6, 3}, 'c'), false);
        INDArray b = plain.output(Nd4j.create(standardized, new long[] {6, 3}, 'c'), false);
        assertArrayEquals(b.toDoubleVector(), a.toDoubleVector(), 1e-6);
    }

    @Test
    void outputBiasSetsTheInitialScoreForAnAllZeroHiddenLayer() {
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(2).seed(1L).outputBias(Math.log(0.01 / 0.99)).build());
        double p = net.output(Nd4j.zeros(1, 2).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT), false).getDouble(0);
        assertEquals(0.01, p, 1e-6);
    }

    @Test
    void specValidationNamesTheArgument() {
        assertEquals("inputs must be > 0, was 0",
                assertThrows(IllegalArgumentException.class, () -> MlpSpec.builder(0)).getMessage());
        assertEquals("hidden[1] must be > 0, was -3",
                assertThrows(IllegalArgumentException.class, () -> MlpSpec.builder(2, 4, -3)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MlpSpec.builder(2).learningRate(0))
                .getMessage().startsWith("learningRate"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MlpSpec.builder(2).standardize(new float[1], new float[2])).getMessage().startsWith("mean and std"));
    }
}
