package io.kingfisher.scoring.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.MlpSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StandardizingPreProcessorTest {

    private final StandardizingPreProcessor step =
            new StandardizingPreProcessor(new float[] {1f, -2f}, new float[] {2f, 0.5f});

    @Test
    void scalesWithoutTouchingTheInput() {
        INDArray x = Nd4j.createFromArray(new float[][] {{3f, -2f}, {1f, 0f}});
        INDArray before = x.dup();
        INDArray y = step.preProcess(x, 2, LayerWorkspaceMgr.noWorkspaces());
        assertArrayEquals(new float[] {1f, 0f, 0f, 4f}, y.data().asFloat(), 1e-6f);
        assertArrayEquals(before.data().asFloat(), x.data().asFloat(), 0f);
    }

    @Test
    void backpropDividesByStd() {
        INDArray eps = Nd4j.createFromArray(new float[][] {{1f, 1f}, {2f, -1f}});
        INDArray back = step.backprop(eps, 2, LayerWorkspaceMgr.noWorkspaces());
        assertArrayEquals(new float[] {0.5f, 2f, 1f, -2f}, back.data().asFloat(), 1e-6f);
    }

    @Test
    void inputGradientOfTheNetworkIsWithRespectToRawFeatures() {
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(2, 3).seed(5L)
                .standardize(new float[] {1f, -2f}, new float[] {2f, 0.5f}).build());
        Pair<?, INDArray> grad = net.calculateGradients(Nd4j.createFromArray(new float[][] {{0.3f, -1.1f}}),
                Nd4j.createFromArray(new float[][] {{1f}}), null, null);
        double[] analytic = grad.getSecond().toDoubleVector();
        float h = 1e-2f;
        for (int j = 0; j < 2; j++) {
            float[] plus = {0.3f, -1.1f};
            float[] minus = {0.3f, -1.1f};
            plus[j] += h;
            minus[j] -= h;
            double numeric = (score(net, plus) - score(net, minus)) / (2 * h);
            org.junit.jupiter.api.Assertions.assertEquals(numeric, analytic[j], 2e-3, "feature " + j);
        }
    }

    private static double score(MultiLayerNetwork net, float[] x) {
        return net.score(new org.nd4j.linalg.dataset.DataSet(Nd4j.createFromArray(new float[][] {x}),
                Nd4j.createFromArray(new float[][] {{1f}})), false);
    }

    @Test
    void rejectsBadStatisticsAndWidths() {
        assertThrows(IllegalArgumentException.class, () -> new StandardizingPreProcessor(new float[] {0f}, new float[] {0f}));
        assertThrows(IllegalArgumentException.class,
                () -> new StandardizingPreProcessor(new float[] {Float.NaN}, new float[] {1f}));
        assertThrows(IllegalArgumentException.class,
                () -> step.preProcess(Nd4j.zeros(1, 3), 1, LayerWorkspaceMgr.noWorkspaces()));
    }
}
