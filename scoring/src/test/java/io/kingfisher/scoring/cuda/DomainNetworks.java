package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.MlpSpec;
import io.kingfisher.scoring.TestData;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Networks of the three built-in domains' shapes (flink-jobs' {@code BuiltInDomains}, as the warm start trains them:
 * standardized inputs, dense 32-16, sigmoid output), trained a few steps so no parameter sits at its initial value,
 * and feature rows for them (hashed ids in the id columns). The scoring module cannot see the domains themselves;
 * {@code bench scoring --backend cuda} compares the real trained models.
 */
final class DomainNetworks {

    /** A named architecture and its input width. */
    record Shape(String domain, int inputs, IdEmbeddings embeddings) {
    }

    /** fraud mlp(21-32-16-1); clicks mlp(12-32-16-1)+emb(8192x16,2048x16,dot); clinical mlp(26-32-16-1). */
    static final List<Shape> SHAPES = List.of(
            new Shape("fraud", 21, null),
            new Shape("clicks", 12, new IdEmbeddings(List.of(new IdEmbeddings.Table(8192, 16), new IdEmbeddings.Table(2048, 16)), true)),
            new Shape("clinical", 26, null));

    private DomainNetworks() {
    }

    static MultiLayerNetwork build(Shape shape, long seed) {
        int n = shape.inputs();
        float[] mean = new float[n];
        float[] std = new float[n];
        for (int j = 0; j < n; j++) {
            mean[j] = j;
            std[j] = 1 + j;
        }
        MultiLayerNetwork net = Architectures.mlp(MlpSpec.builder(n, 32, 16).seed(seed).learningRate(1e-2).l2(1e-4)
                .positiveWeight(5.0).outputBias(-2.0).standardize(mean, std).embeddings(shape.embeddings()).build());
        int rows = 128;
        float[] x = rows(shape, rows, seed + 1);
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = x[i * n + n - 1] > n - 1 ? 1f : 0f;
        }
        for (int step = 0; step < 5; step++) {
            net.fit(Nd4j.create(x, new long[] {rows, n}, 'c'), Nd4j.create(y, new long[] {rows, 1}, 'c'));
        }
        return net;
    }

    /** Feature rows: Gaussian columns with per-column offsets and scales; 24-bit hashed ids in the id columns. */
    static float[] rows(Shape shape, int rows, long seed) {
        float[] x = TestData.features(rows, shape.inputs(), seed);
        if (shape.embeddings() != null) {
            SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
            int k = shape.embeddings().idColumns();
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < k; j++) {
                    x[i * shape.inputs() + j] = r.nextInt(1 << 24);
                }
            }
        }
        return x;
    }
}
