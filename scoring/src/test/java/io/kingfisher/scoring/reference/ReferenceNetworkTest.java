package io.kingfisher.scoring.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.MlpSpec;
import io.kingfisher.scoring.TestData;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ReferenceNetworkTest {

    private static final double TOLERANCE = 1e-5;
    private static final int[] BATCHES = {1, 7, 256};

    /** Max |reference - ND4J| over all batch sizes; asserts it is within tolerance. */
    private static double checkParity(MultiLayerNetwork net, int inputs, long seed, float[] rowsOverride) {
        ReferenceNetwork ref = ReferenceNetwork.of(net);
        assertEquals(inputs, ref.inputSize());
        double worst = 0;
        for (int rows : BATCHES) {
            float[] x = rowsOverride != null ? rowsOverride : TestData.features(rows, inputs, seed + rows);
            INDArray expected = net.output(Nd4j.create(x, new long[] {rows, inputs}, 'c'), false);
            double[] out = new double[rows];
            ref.forward(x, rows, out);
            for (int r = 0; r < rows; r++) {
                double diff = Math.abs(out[r] - expected.getDouble(r, 0));
                worst = Math.max(worst, diff);
                assertTrue(diff <= TOLERANCE, "rows=" + rows + " row " + r + ": reference " + out[r] + " vs nd4j "
                        + expected.getDouble(r, 0));
            }
        }
        System.out.println("reference parity " + Architectures.describe(net) + ": max |diff| = " + worst);
        return worst;
    }

    @Test
    void matchesNd4jOnTrainedStandardizedMlps() {
        checkParity(TestData.trainedMlp(12, new int[] {32, 16}, 5L), 12, 100L, null);
        checkParity(TestData.trainedMlp(30, new int[] {64, 32}, 9L), 30, 200L, null);
        checkParity(TestData.trainedMlp(4, new int[0], 3L), 4, 300L, null);
    }

    @Test
    void matchesNd4jOnAPlainMlpWithoutStandardizer() {
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(8, 16).seed(2L).learningRate(1e-2).build());
        fit(net, 8, 3L);
        checkParity(net, 8, 400L, null);
    }

    @Test
    void matchesNd4jWithAnEmbeddingFront() {
        IdEmbeddings spec = new IdEmbeddings(
                List.of(new IdEmbeddings.Table(64, 4), new IdEmbeddings.Table(32, 4)), true);
        int inputs = 6;
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(inputs, 16, 8).seed(4L).learningRate(1e-2)
                .embeddings(spec).build());
        fit(net, inputs, 5L);
        double worst = 0;
        for (int rows : BATCHES) {
            float[] x = TestData.features(rows, inputs, 500L + rows);
            SplittableRandom r = new SplittableRandom(rows);
            for (int i = 0; i < rows; i++) {
                x[i * inputs] = r.nextInt(1000);
                x[i * inputs + 1] = r.nextInt(1000);
            }
            ReferenceNetwork ref = ReferenceNetwork.of(net);
            INDArray expected = net.output(Nd4j.create(x, new long[] {rows, inputs}, 'c'), false);
            double[] out = new double[rows];
            ref.forward(x, rows, out);
            for (int i = 0; i < rows; i++) {
                worst = Math.max(worst, Math.abs(out[i] - expected.getDouble(i, 0)));
            }
        }
        System.out.println("reference parity " + Architectures.describe(net) + ": max |diff| = " + worst);
        assertTrue(worst <= TOLERANCE, "max diff " + worst);
    }

    @Test
    void referenceModelScoresLikeTheNetwork() {
        MultiLayerNetwork net = TestData.trainedMlp(5, new int[] {8}, 7L);
        try (ReferenceModel model = new ReferenceModel(net, 3L)) {
            assertEquals(3L, model.version());
            assertEquals(5, model.inputSize());
            assertEquals("mlp(5-8-1)", model.architecture());
            float[] x = TestData.features(7, 5, 8L);
            double[] batch = new double[7];
            model.scoreBatch(x, 7, batch);
            INDArray expected = net.output(Nd4j.create(x, new long[] {7, 5}, 'c'), false);
            for (int r = 0; r < 7; r++) {
                float[] row = new float[5];
                System.arraycopy(x, r * 5, row, 0, 5);
                assertEquals(expected.getDouble(r, 0), model.score(row), TOLERANCE);
                assertEquals(expected.getDouble(r, 0), batch[r], TOLERANCE);
            }
            model.close();
            assertThrows(IllegalStateException.class, () -> model.score(new float[5]));
        }
    }

    @Test
    void unsupportedLayerFailsAtExtractionNamingIt() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(3).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceNetwork.of(net));
        assertTrue(e.getMessage().contains(DropoutLayer.class.getName()), e.getMessage());
    }

    @Test
    void unsupportedActivationFailsAtExtractionNamingIt() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(3).nOut(1)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceNetwork.of(net));
        assertTrue(e.getMessage().contains("ActivationTanH") && e.getMessage().contains(DenseLayer.class.getName()),
                e.getMessage());
    }

    private static void fit(MultiLayerNetwork net, int inputs, long seed) {
        int rows = 64;
        float[] x = TestData.features(rows, inputs, seed);
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = x[i * inputs + inputs - 1] > inputs - 1 ? 1f : 0f;
        }
        for (int step = 0; step < 5; step++) {
            net.fit(Nd4j.create(x, new long[] {rows, inputs}, 'c'), Nd4j.create(y, new long[] {rows, 1}, 'c'));
        }
    }
}
