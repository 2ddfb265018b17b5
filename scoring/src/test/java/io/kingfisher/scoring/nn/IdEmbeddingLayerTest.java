package io.kingfisher.scoring.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.IdHash;
import io.kingfisher.scoring.MlpSpec;
import io.kingfisher.scoring.ModelCodec;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class IdEmbeddingLayerTest {
    private static final IdEmbeddings TWO_TABLES = new IdEmbeddings(
            List.of(new IdEmbeddings.Table(64, 4), new IdEmbeddings.Table(32, 4)), true);

    @Test
    void hashIsFnv1aFoldedTo24BitsAndBucketsWrap() {
        // FNV-1a 32 of "" is 0x811C9DC5 and of "a" is 0xE40C292C; folded: 0x81 ^ 0x1C9DC5, 0xE4 ^ 0x0C292C.
        assertEquals(0x81 ^ 0x1C9DC5, IdHash.hash24(""));
        assertEquals(0xE4 ^ 0x0C292C, IdHash.hash24("a"));
        assertEquals(6321065, IdHash.hash24("user-42"));
        for (String s : List.of("x", "user-1", "item-999", "\u00e9t\u00e9")) {
            int h = IdHash.hash24(s);
            assertTrue(h >= 0 && h < IdHash.MAX_VOCABULARY);
            assertEquals(h, (int) (float) h, "exact as a float");
        }
        assertEquals(5, IdHash.bucket(37f, 16));
        assertEquals(11, IdHash.bucket(-5f, 16));
        assertEquals(0, IdHash.bucket(Float.NaN, 16));
        assertThrows(IllegalArgumentException.class, () -> IdHash.bucket(1f, 0));
    }

    @Test
    void specValidatesShapes() {
        assertEquals(4 + 4 + 1 + 3, TWO_TABLES.outputWidth(5));
        assertEquals("emb(64x4,32x4,dot)", TWO_TABLES.describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdEmbeddings(
                List.of(new IdEmbeddings.Table(8, 4), new IdEmbeddings.Table(8, 3)), true));
        assertTrue(e.getMessage().contains("one dimension"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IdEmbeddings(List.of(new IdEmbeddings.Table(8, 4)), true));
        assertThrows(IllegalArgumentException.class, () -> new IdEmbeddings.Table(0, 4));
        assertThrows(IllegalArgumentException.class, () -> TWO_TABLES.outputWidth(1));
    }

    @Test
    void kernelGradientsMatchFiniteDifferences() {
        IdEmbeddingKernel k = new IdEmbeddingKernel(5, TWO_TABLES);
        SplittableRandom r = new SplittableRandom(3);
        int rows = 3;
        float[] in = new float[rows * 5];
        for (int i = 0; i < in.length; i++) {
            in[i] = i % 5 < 2 ? r.nextInt(1000) : (float) r.nextGaussian();
        }
        float[][] emb = {random(r, rows * 4), random(r, rows * 4)};
        float[] w = random(r, rows * k.outputWidth()); // loss = sum(w * out), so dLoss/dOut = w
        float[][] grad = {new float[rows * 4], new float[rows * 4]};
        float[] epsIn = new float[rows * 5];
        k.backward(rows, emb, w, grad, epsIn);
        double h = 1e-3;
        for (int j = 0; j < 2; j++) {
            for (int i = 0; i < emb[j].length; i++) {
                float saved = emb[j][i];
                emb[j][i] = (float) (saved + h);
                double up = loss(k, in, rows, emb, w);
                emb[j][i] = (float) (saved - h);
                double down = loss(k, in, rows, emb, w);
                emb[j][i] = saved;
                assertEquals((up - down) / (2 * h), grad[j][i], 2e-2, "table " + j + " value " + i);
            }
        }
        for (int row = 0; row < rows; row++) {
            assertEquals(0f, epsIn[row * 5]);
            assertEquals(0f, epsIn[row * 5 + 1]);
            for (int c = 2; c < 5; c++) {
                assertEquals(w[row * k.outputWidth() + 9 + c - 2], epsIn[row * 5 + c]);
            }
        }
    }

    @Test
    void networkDescribesItselfAndTablesAreViewsOfItsParameters() {
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(5, 8).seed(1L).embeddings(TWO_TABLES).build());
        assertEquals("mlp(5-8-1)+emb(64x4,32x4,dot)", Architectures.describe(net));
        assertEquals(5, Architectures.inputSize(net));
        assertEquals(TWO_TABLES, Architectures.embeddings(net));
        assertNull(Architectures.embeddings(Architectures.mlp(5, new int[] {8}, 1L)));
        assertEquals(64 * 4 + 32 * 4 + (12 * 8 + 8) + (8 + 1), net.numParams());

        INDArray user = net.getLayer(0).getParam(IdEmbeddingParams.key(0));
        assertArrayEquals(new long[] {64, 4}, user.shape());
        user.putScalar(7, 2, 42f);
        assertEquals(42f, net.params().getFloat(7 * 4 + 2), "a table row is a view of the flat parameters");

        // The same seed gives the same tables; another seed other tables.
        MultiLayerNetwork same = Architectures.mlp(MlpSpec.builder(5, 8).seed(1L).embeddings(TWO_TABLES).build());
        MultiLayerNetwork other = Architectures.mlp(MlpSpec.builder(5, 8).seed(2L).embeddings(TWO_TABLES).build());
        assertEquals(same.getLayer(0).getParam("E1"), net.getLayer(0).getParam("E1"));
        assertNotEquals(other.getLayer(0).getParam("E1"), net.getLayer(0).getParam("E1"));
    }

    @Test
    void learnsAUserItemInteractionAndSurvivesTheCodecAndTheModel() throws Exception {
        // Hidden truth: users and items each have a side (+1/-1); a click happens when the sides agree, and more
        // often at small positions. Without the embeddings the ids are noise.
        int users = 60;
        int items = 40;
        SplittableRandom r = new SplittableRandom(9);
        int[] userSide = new int[users];
        int[] itemSide = new int[items];
        for (int u = 0; u < users; u++) {
            userSide[u] = r.nextBoolean() ? 1 : -1;
        }
        for (int i = 0; i < items; i++) {
            itemSide[i] = r.nextBoolean() ? 1 : -1;
        }
        int n = 6000;
        float[] x = new float[n * 3];
        float[] y = new float[n];
        for (int e = 0; e < n; e++) {
            int u = r.nextInt(users);
            int i = r.nextInt(items);
            int position = r.nextInt(5);
            x[e * 3] = IdHash.hash24("user-" + u);
            x[e * 3 + 1] = IdHash.hash24("item-" + i);
            x[e * 3 + 2] = position;
            double logit = 2.0 * userSide[u] * itemSide[i] - 0.5 * position - 0.5;
            y[e] = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
        }
        IdEmbeddings spec = new IdEmbeddings(List.of(new IdEmbeddings.Table(256, 4), new IdEmbeddings.Table(256, 4)), true);
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(3, 16).seed(5L).learningRate(2e-2).embeddings(spec)
                .standardize(new float[] {123f, 456f, 2f}, new float[] {7f, 8f, 1.4f}).build());
        int train = 5000;
        INDArray features = Nd4j.create(x, new long[] {n, 3}, 'c');
        INDArray labels = Nd4j.create(y, new long[] {n, 1}, 'c');
        for (int epoch = 0; epoch < 10; epoch++) {
            for (int from = 0; from < train; from += 100) {
                net.fit(features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + 100),
                                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup(),
                        labels.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + 100),
                                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup());
            }
        }
        INDArray heldOut = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(train, n),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        double[] scores = net.output(heldOut, false).toDoubleVector();
        float[] truth = java.util.Arrays.copyOfRange(y, train, n);
        double auc = auc(scores, truth);
        // The Bayes-optimal AUC of this process is 0.886; the position alone gives about 0.6.
        assertTrue(auc > 0.78, "held-out AUC " + auc);

        // The id columns are not scaled, whatever the statistics said.
        StandardizingPreProcessor pre = (StandardizingPreProcessor) net.getLayerWiseConfigurations().getInputPreProcess(0);
        assertArrayEquals(new float[] {0f, 0f, 2f}, pre.getMean());

        MultiLayerNetwork restored = new ModelCodec().decode(new ModelCodec().encode(net));
        assertEquals(Architectures.describe(net), Architectures.describe(restored));
        assertEquals(net.params(), restored.params());
        double[] again = restored.output(heldOut, false).toDoubleVector();
        assertArrayEquals(scores, again, 1e-6);

        try (Dl4jModel model = new Dl4jModel(restored, 3, 64)) {
            float[] rows = java.util.Arrays.copyOfRange(x, train * 3, (train + 10) * 3);
            double[] out = new double[10];
            model.scoreBatch(rows, 10, out);
            for (int i = 0; i < 10; i++) {
                assertEquals(scores[i], out[i], 1e-6);
                assertEquals(scores[i], model.score(java.util.Arrays.copyOfRange(rows, i * 3, i * 3 + 3)), 1e-6);
            }
        }
    }

    private static double loss(IdEmbeddingKernel k, float[] in, int rows, float[][] emb, float[] w) {
        float[] out = new float[rows * k.outputWidth()];
        k.forward(in, rows, emb, out);
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += (double) w[i] * out[i];
        }
        return s;
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Mann-Whitney AUC (ties count half). */
    static double auc(double[] scores, float[] labels) {
        double pos = 0;
        double neg = 0;
        double wins = 0;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i] != 1f) {
                continue;
            }
            pos++;
            for (int j = 0; j < scores.length; j++) {
                if (labels[j] == 1f) {
                    continue;
                }
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
            }
        }
        for (float l : labels) {
            neg += l == 1f ? 0 : 1;
        }
        return wins / (pos * neg);
    }
}
