package io.kingfisher.scoring.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.IdHash;
import io.kingfisher.scoring.MlpSpec;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Int8CodecTest {
    private final Int8Codec codec = new Int8Codec();

    @Test
    void roundTripKeepsTheConfigurationAndBoundsEveryWeightsError() throws IOException {
        MultiLayerNetwork net = TestData.trainedMlp(6, new int[] {8, 4}, 21L);
        MultiLayerNetwork back = codec.decode(codec.encode(net));

        assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations(), "standardisation, loss, layers");
        assertEquals("mlp(6-8-4-1)", Architectures.describe(back));
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            String key = e.getKey();
            float[] w = flat(e.getValue());
            float[] q = flat(back.getParam(key));
            if (key.endsWith("_b")) {
                assertArrayEquals(w, q, 0f, "biases stay float: " + key);
                continue;
            }
            // W is [nIn, nOut]: one scale per output column.
            long[] shape = e.getValue().shape();
            float[][] m = e.getValue().toFloatMatrix();
            float[][] mq = back.getParam(key).toFloatMatrix();
            for (int c = 0; c < shape[1]; c++) {
                float max = 0;
                for (int r = 0; r < shape[0]; r++) {
                    max = Math.max(max, Math.abs(m[r][c]));
                }
                double bound = max / 127.0 / 2 * (1 + 1e-5) + 1e-12;
                for (int r = 0; r < shape[0]; r++) {
                    assertTrue(Math.abs(m[r][c] - mq[r][c]) <= bound, key + "(" + r + ", " + c + ")");
                }
            }
            assertTrue(maxDiff(w, q) > 0, "weights went through int8: " + key);
        }
    }

    @Test
    void scoresMoveLittleAndAucHardlyAtAll() throws IOException {
        int inputs = 8;
        int rows = 2000;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = TestData.features(rows, inputs, 4L);
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            double logit = 0.8 * x[i * inputs] - 0.3 * x[i * inputs + 2] + 0.2 * x[i * inputs + 5] - 1.0;
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
        }
        float[] mean = new float[inputs];
        float[] std = new float[inputs];
        for (int j = 0; j < inputs; j++) {
            mean[j] = j;
            std[j] = 1 + j;
        }
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(inputs, 32, 16).seed(9L).learningRate(1e-2)
                .standardize(mean, std).build());
        INDArray features = Nd4j.create(x, new long[] {rows, inputs}, 'c');
        INDArray labels = Nd4j.create(y, new long[] {rows, 1}, 'c');
        for (int step = 0; step < 150; step++) {
            net.fit(features, labels);
        }
        double[] f = net.output(features, false).toDoubleVector();
        MultiLayerNetwork q = codec.decode(codec.encode(net));
        double[] g = q.output(features, false).toDoubleVector();

        double maxDiff = 0;
        double sumDiff = 0;
        for (int i = 0; i < rows; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(f[i] - g[i]));
            sumDiff += Math.abs(f[i] - g[i]);
        }
        double aucFloat = auc(f, y);
        double aucInt8 = auc(g, y);
        assertTrue(aucFloat > 0.7, "the model learned something: AUC " + aucFloat);
        // Weights move by up to 1/254 of their column's largest; through two hidden layers that moves a score
        // by a few thousandths on average and a few hundredths at worst, and the ranking hardly at all.
        assertTrue(maxDiff < 0.06, "max |score difference| " + maxDiff);
        assertTrue(sumDiff / rows < 0.01, "mean |score difference| " + sumDiff / rows);
        assertTrue(Math.abs(aucFloat - aucInt8) < 0.002, "AUC float " + aucFloat + " vs int8 " + aucInt8);
    }

    @Test
    void embeddingTablesAreQuantizedPerRowAndScoreAlike() throws IOException {
        IdEmbeddings emb = new IdEmbeddings(List.of(new IdEmbeddings.Table(64, 8), new IdEmbeddings.Table(32, 8)), true);
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(4, 16).seed(5L).embeddings(emb)
                .standardize(new float[] {0f, 0f, 1f, 2f}, new float[] {1f, 1f, 2f, 3f}).build());
        byte[] payload = codec.encode(net);
        MultiLayerNetwork back = codec.decode(payload);
        assertEquals("mlp(4-16-1)+emb(64x8,32x8,dot)", Architectures.describe(back));

        float[][] table = net.getParam("0_E0").toFloatMatrix();
        float[][] tableQ = back.getParam("0_E0").toFloatMatrix();
        for (int row = 0; row < table.length; row++) {
            float max = 0;
            for (float v : table[row]) {
                max = Math.max(max, Math.abs(v));
            }
            for (int c = 0; c < table[row].length; c++) {
                assertTrue(Math.abs(table[row][c] - tableQ[row][c]) <= max / 254.0 * (1 + 1e-5) + 1e-12, "E0 row " + row);
            }
        }

        int rows = 200;
        SplittableRandom r = new SplittableRandom(6);
        float[] x = new float[rows * 4];
        for (int i = 0; i < rows; i++) {
            x[i * 4] = IdHash.hash24("u" + r.nextInt(100));
            x[i * 4 + 1] = IdHash.hash24("i" + r.nextInt(100));
            x[i * 4 + 2] = (float) r.nextGaussian();
            x[i * 4 + 3] = (float) r.nextGaussian();
        }
        try (Model a = new io.kingfisher.scoring.Dl4jModel(net, 1L); Model b = codec.load(payload, 1L, 256)) {
            double[] sa = new double[rows];
            double[] sb = new double[rows];
            a.scoreBatch(x, rows, sa);
            b.scoreBatch(x, rows, sb);
            for (int i = 0; i < rows; i++) {
                assertEquals(sa[i], sb[i], 0.01, "row " + i);
            }
            assertEquals(a.architecture(), b.architecture());
        }
    }

    @Test
    void payloadIsSmallerThanTheFloatOneAndStableUnderReencoding() throws IOException {
        IdEmbeddings emb = new IdEmbeddings(List.of(new IdEmbeddings.Table(1024, 16), new IdEmbeddings.Table(256, 16)), true);
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(5, 32, 16).seed(7L).embeddings(emb).build());
        ByteArrayOutputStream floatNoUpdater = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, floatNoUpdater, false);
        byte[] int8 = codec.encode(net);
        // 16-wide rows: 16 int8 values and a float scale (20 B) stand for 64 B of floats.
        assertTrue(int8.length * 2.8 < floatNoUpdater.size(), "int8 " + int8.length + " B vs float " + floatNoUpdater.size() + " B");
        assertTrue(int8.length < new ModelCodec().encode(net).length);

        MultiLayerNetwork once = codec.decode(int8);
        MultiLayerNetwork twice = codec.decode(codec.encode(once));
        assertEquals(once.params(), twice.params(), "quantizing dequantized weights again changes nothing");
    }

    @Test
    void garbageAndDamageAreIOExceptionsNamingTheFormat() {
        IOException empty = assertThrows(IOException.class, () -> codec.decode(new byte[0]));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        IOException zip = assertThrows(IOException.class,
                () -> codec.decode(new ModelCodec().encode(TestData.trainedMlp(3, new int[] {4}, 1L))));
        assertTrue(zip.getMessage().contains(Int8Codec.FORMAT), zip.getMessage());
        assertThrows(IOException.class, () -> codec.decode("not a model".getBytes(StandardCharsets.UTF_8)));

        byte[] good = codec.encode(TestData.trainedMlp(3, new int[] {4}, 1L));
        IOException truncated = assertThrows(IOException.class, () -> codec.decode(Arrays.copyOf(good, good.length - 20)));
        assertTrue(truncated.getMessage().contains(Int8Codec.FORMAT), truncated.getMessage());
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x5A;
        assertThrows(IOException.class, () -> codec.decode(flipped));
    }

    private static float[] flat(INDArray a) {
        return Nd4j.toFlattened('c', a).toFloatVector();
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Mann-Whitney AUC (ties count half), by ranks. */
    static double auc(double[] scores, float[] labels) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSum = 0;
        long pos = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] == 1f) {
                    rankSum += rank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = scores.length - pos;
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
