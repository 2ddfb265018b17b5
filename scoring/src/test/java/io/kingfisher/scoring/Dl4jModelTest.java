package io.kingfisher.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class Dl4jModelTest {

    private static final int N = 7;
    private MultiLayerNetwork network;
    private Dl4jModel model;

    @BeforeEach
    void setUp() {
        network = TestData.trainedMlp(N, new int[] {16, 8}, 3L);
        model = new Dl4jModel(network.clone(), 42L, 32);
    }

    @AfterEach
    void tearDown() {
        model.close();
    }

    @Test
    void describesItself() {
        assertEquals(42L, model.version());
        assertEquals(N, model.inputSize());
        assertEquals("mlp(7-16-8-1)", model.architecture());
        assertEquals(32, model.batchCapacity());
    }

    @Test
    void scoreMatchesTheNetworkInInferenceMode() {
        float[] x = TestData.features(1, N, 8L);
        double expected = network.output(Nd4j.create(x, new long[] {1, N}, 'c'), false).getDouble(0);
        assertEquals(expected, model.score(x), 1e-7);
    }

    @Test
    void batchEqualsSingleScoresForVaryingRowCounts() {
        float[] all = TestData.features(32, N, 17L);
        for (int rows : new int[] {32, 5, 1, 17, 32, 2}) {
            double[] out = new double[40];
            Arrays.fill(out, -1.0);
            model.scoreBatch(all, rows, out);
            for (int i = 0; i < rows; i++) {
                double single = model.score(Arrays.copyOfRange(all, i * N, (i + 1) * N));
                assertEquals(single, out[i], 1e-6, "rows=" + rows + " row " + i);
                assertTrue(out[i] > 0 && out[i] < 1, "a probability");
            }
            assertEquals(-1.0, out[rows], 0.0, "nothing written past rows");
        }
    }

    @Test
    void batchOfOneWorksAndIgnoresTheTailOfTheInput() {
        float[] two = TestData.features(2, N, 30L);
        double[] out = new double[1];
        model.scoreBatch(two, 1, out);
        assertEquals(model.score(Arrays.copyOf(two, N)), out[0], 1e-6);
    }

    @Test
    void repeatedCallsAreStable() {
        float[] all = TestData.features(32, N, 23L);
        double[] first = new double[32];
        double[] again = new double[32];
        model.scoreBatch(all, 32, first);
        for (int i = 0; i < 200; i++) {
            model.scoreBatch(all, 1 + i % 32, again);
        }
        model.scoreBatch(all, 32, again);
        assertArrayEquals(first, again, 0.0);
    }

    @Test
    void rejectsWrongShapesAndUseAfterClose() {
        assertThrows(IllegalArgumentException.class, () -> model.score(new float[N - 1]));
        assertThrows(IllegalArgumentException.class, () -> model.scoreBatch(new float[N * 40], 33, new double[40]));
        assertThrows(IllegalArgumentException.class, () -> model.scoreBatch(new float[N * 2], 3, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> model.scoreBatch(new float[N * 3], 3, new double[2]));
        assertThrows(IllegalArgumentException.class, () -> model.scoreBatch(new float[N], 0, new double[1]));
        model.close();
        assertThrows(IllegalStateException.class, () -> model.score(new float[N]));
    }

    @Test
    void closingTheModelBeingReplacedFreesItsWeightsAndLeavesTheNewOneScoring() {
        MultiLayerNetwork replacedNetwork = network.clone();
        Dl4jModel replaced = new Dl4jModel(replacedNetwork, 41L, 32);
        float[] all = TestData.features(32, N, 29L);
        double[] before = new double[32];
        double[] after = new double[32];
        model.scoreBatch(all, 32, before);
        replaced.scoreBatch(all, 32, new double[32]);
        replaced.close(); // on this thread, as a scorer does at a swap
        assertTrue(replacedNetwork.params().wasClosed(), "the replaced network's weights are freed");
        // DL4J's MultiLayerNetwork.close() destroys every workspace of the calling thread (and runs System.gc()):
        // the output workspace the scoring thread shares with the new model must survive the old one's close.
        assertTrue(Nd4j.getWorkspaceManager().checkIfWorkspaceExists(Dl4jModel.OUTPUT_WORKSPACE),
                "the scoring thread's output workspace survives");
        model.scoreBatch(all, 32, after);
        assertArrayEquals(before, after, 0.0);
    }
}
