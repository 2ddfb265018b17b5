package io.kingfisher.scoring.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.MlpSpec;
import io.kingfisher.scoring.TestData;
import io.kingfisher.scoring.cuda.CublasPlan.Buffer;
import io.kingfisher.scoring.cuda.CublasPlan.Gemm;
import io.kingfisher.scoring.reference.ReferenceNetwork;
import io.kingfisher.scoring.reference.ReferenceNetwork.Act;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** The device plan, checked without a device: shapes, GEMM arguments, buffers, and a Java run of it against the reference. */
class CublasPlanTest {

    private static final int[] BATCHES = {1, 7, 256};

    @Test
    void rowMajorLayersBecomeUntransposedColumnMajorGemms() {
        ReferenceNetwork net = ReferenceNetwork.of(TestData.trainedMlp(12, new int[] {32, 16}, 5L));
        CublasPlan plan = CublasPlan.of(net, 256);
        assertTrue(plan.standardizes());
        assertFalse(plan.embeds());
        assertEquals(3, plan.layers().size());
        // Z[rows, nOut] = X[rows, nIn] W[nIn, nOut] row-major  ==  Z^T = W^T X^T column-major
        assertEquals(new Gemm(0, 32, 7, 12, 32, 12, 32, Buffer.INPUT, Buffer.PING), plan.gemm(0, 7));
        assertEquals(new Gemm(1, 16, 7, 32, 16, 32, 16, Buffer.PING, Buffer.PONG), plan.gemm(1, 7));
        assertEquals(new Gemm(2, 1, 256, 16, 1, 16, 1, Buffer.PONG, Buffer.PING), plan.gemm(2, 256));
        assertEquals(Buffer.PING, plan.output());
        assertEquals(List.of(Act.RELU, Act.RELU, Act.SIGMOID), plan.layers().stream().map(CublasPlan.Layer::act).toList());
        assertEquals(Map.of(Buffer.INPUT, 256L * 12, Buffer.PING, 256L * 32, Buffer.PONG, 256L * 32), plan.bufferFloats());
    }

    @Test
    void aSingleLayerNeedsOneOutputBuffer() {
        ReferenceNetwork net = ReferenceNetwork.of(TestData.trainedMlp(4, new int[0], 3L));
        CublasPlan plan = CublasPlan.of(net, 10);
        assertEquals(Map.of(Buffer.INPUT, 40L, Buffer.PING, 10L), plan.bufferFloats());
        assertEquals(Buffer.PING, plan.output());
    }

    @Test
    void theEmbeddingFrontIsDescribedColumnByColumn() {
        IdEmbeddings spec = new IdEmbeddings(List.of(new IdEmbeddings.Table(64, 4), new IdEmbeddings.Table(32, 4)), true);
        MultiLayerNetwork dl4j = Architectures.mlp(MlpSpec.builder(6, 16, 8).seed(4L).embeddings(spec).build());
        CublasPlan plan = CublasPlan.of(ReferenceNetwork.of(dl4j), 64);
        assertTrue(plan.embeds());
        assertEquals(4 + 4 + 1 + 4, plan.embeddingWidth(), "two embeddings, one dot product, four dense columns");
        assertArrayEquals(new int[] {64, 4, 0, 32, 4, 256}, plan.tableMeta());
        assertEquals(64 * 4 + 32 * 4, plan.tableFloats());
        int[] c = plan.embeddingColumns();
        assertArrayEquals(new int[] {CublasPlan.COLUMN_EMBEDDING, 0, 0, 0}, java.util.Arrays.copyOfRange(c, 0, 4));
        assertArrayEquals(new int[] {CublasPlan.COLUMN_EMBEDDING, 1, 3, 0}, java.util.Arrays.copyOfRange(c, 4 * 7, 4 * 8));
        assertArrayEquals(new int[] {CublasPlan.COLUMN_DOT, 0, 1, 0}, java.util.Arrays.copyOfRange(c, 4 * 8, 4 * 9));
        assertArrayEquals(new int[] {CublasPlan.COLUMN_DENSE, 2, 0, 0}, java.util.Arrays.copyOfRange(c, 4 * 9, 4 * 10));
        assertArrayEquals(new int[] {CublasPlan.COLUMN_DENSE, 5, 0, 0}, java.util.Arrays.copyOfRange(c, 4 * 12, 4 * 13));
        assertEquals(new Gemm(0, 16, 3, 13, 16, 13, 16, Buffer.EMBEDDED, Buffer.PING), plan.gemm(0, 3));
        assertEquals(64L * 13, plan.bufferFloats().get(Buffer.EMBEDDED));
    }

    @Test
    void batchSizesAndGridsAreChecked() {
        CublasPlan plan = CublasPlan.of(ReferenceNetwork.of(TestData.trainedMlp(4, new int[] {8}, 3L)), 16);
        assertThrows(IllegalArgumentException.class, () -> plan.gemm(0, 0));
        assertThrows(IllegalArgumentException.class, () -> plan.gemm(0, 17));
        assertThrows(IllegalArgumentException.class, () -> CublasPlan.of(ReferenceNetwork.of(TestData.trainedMlp(4,
                new int[] {8}, 3L)), 0));
        assertEquals(1, CublasPlan.blocks(1));
        assertEquals(1, CublasPlan.blocks(256));
        assertEquals(2, CublasPlan.blocks(257));
        assertEquals(65536 * 48 / 256, CublasPlan.blocks(65536L * 48));
        assertThrows(IllegalArgumentException.class, () -> CublasPlan.blocks(0));
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> CublasPlan.of(ReferenceNetwork.of(TestData.trainedMlp(4, new int[] {8}, 3L)), Integer.MAX_VALUE / 2));
        assertTrue(tooBig.getMessage().contains("scoring.batch_size"), tooBig.getMessage());
    }

    @Test
    void thePlanRunInJavaGivesTheReferenceScoresBitForBit() {
        for (DomainNetworks.Shape shape : DomainNetworks.SHAPES) {
            MultiLayerNetwork dl4j = DomainNetworks.build(shape, 11L);
            ReferenceNetwork reference = ReferenceNetwork.of(dl4j);
            PlanSimulator device = new PlanSimulator(ReferenceNetwork.of(dl4j), 256);
            for (int rows : BATCHES) {
                float[] x = DomainNetworks.rows(shape, rows, 40L + rows);
                double[] expected = new double[rows];
                double[] actual = new double[rows];
                reference.forward(x, rows, expected);
                device.scoreBatch(x, rows, actual);
                assertArrayEquals(expected, actual, 0.0, shape.domain() + " rows=" + rows + " " + device.plan());
            }
        }
    }

    @Test
    void missingIdsAndNegativeIdsBucketLikeTheReference() {
        DomainNetworks.Shape clicks = DomainNetworks.SHAPES.get(1);
        MultiLayerNetwork dl4j = DomainNetworks.build(clicks, 12L);
        ReferenceNetwork reference = ReferenceNetwork.of(dl4j);
        PlanSimulator device = new PlanSimulator(reference, 4);
        float[] x = DomainNetworks.rows(clicks, 4, 3L);
        x[0] = Float.NaN;
        x[clicks.inputs() + 1] = -12345f;
        x[2 * clicks.inputs()] = 7.9f;
        x[3 * clicks.inputs() + 1] = 1e30f;
        double[] expected = new double[4];
        double[] actual = new double[4];
        reference.forward(x, 4, expected);
        device.scoreBatch(x, 4, actual);
        assertArrayEquals(expected, actual, 0.0);
    }

    @Test
    void theKernelSourceDefinesEveryLaunchedKernelUnmangled() {
        for (String name : CudaKernels.NAMES) {
            assertTrue(CudaKernels.SOURCE.contains("extern \"C\" __global__ void " + name + "("), name);
        }
        assertEquals(List.of("--gpu-architecture=sm_90", "--fmad=false"), CudaKernels.compileOptions(9, 0));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.compileOptions(0, 0));
    }
}
