package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.cuda.CublasPlan.Buffer;
import io.kingfisher.scoring.cuda.CublasPlan.Gemm;
import io.kingfisher.scoring.cuda.CublasPlan.Layer;
import io.kingfisher.scoring.reference.ReferenceNetwork;
import io.kingfisher.scoring.reference.ReferenceNetwork.Dense;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link CublasPlan} the way {@link CublasModel} issues it, on Java arrays: device buffers as float arrays of
 * the planned sizes, {@code cublasSgemm} as BLAS defines it (column-major, leading dimensions, sequential FMA over k),
 * and each kernel of {@link CudaKernels#SOURCE} transcribed line for line. If the plan's routing, GEMM arguments or
 * embedding descriptors were wrong, its scores would differ from {@link ReferenceNetwork}'s.
 */
final class PlanSimulator {
    private final CublasPlan plan;
    private final Map<Buffer, float[]> buffers = new EnumMap<>(Buffer.class);
    private final float[] mean;
    private final float[] inv;
    private final float[] tables;
    private final int[] tableMeta;
    private final int[] columns;
    private final List<Dense> layers;

    PlanSimulator(ReferenceNetwork net, int capacity) {
        this.plan = CublasPlan.of(net, capacity);
        plan.bufferFloats().forEach((b, n) -> buffers.put(b, new float[Math.toIntExact(n)]));
        this.mean = net.mean();
        this.inv = net.inverseStd();
        this.tableMeta = plan.tableMeta();
        this.columns = plan.embeddingColumns();
        this.tables = new float[plan.tableFloats()];
        for (int j = 0; j < tableMeta.length / 3; j++) {
            float[] t = net.table(j);
            System.arraycopy(t, 0, tables, tableMeta[3 * j + 2], t.length);
        }
        this.layers = net.layers();
    }

    CublasPlan plan() {
        return plan;
    }

    void scoreBatch(float[] rowMajor, int rows, double[] out) {
        plan.checkRows(rows);
        int width = plan.inputSize();
        int n = rows * width;
        float[] input = buffers.get(Buffer.INPUT);
        System.arraycopy(rowMajor, 0, input, 0, n);                       // H2D
        if (plan.standardizes()) {
            for (int i = 0; i < n; i++) {                                  // kf_standardize
                int c = i % width;
                input[i] = (input[i] - mean[c]) * inv[c];
            }
        }
        if (plan.embeds()) {
            int outWidth = plan.embeddingWidth();
            float[] y = buffers.get(Buffer.EMBEDDED);
            for (int i = 0; i < rows * outWidth; i++) {                    // kf_embed, one thread per value
                int r = i / outWidth;
                int c = i - r * outWidth;
                int row = r * width;
                int kind = columns[4 * c];
                int a = columns[4 * c + 1];
                int b = columns[4 * c + 2];
                if (kind == CublasPlan.COLUMN_EMBEDDING) {
                    y[i] = tables[(int) (tableMeta[3 * a + 2] + bucket(input[row + a], tableMeta[3 * a]) * tableMeta[3 * a + 1] + b)];
                } else if (kind == CublasPlan.COLUMN_DOT) {
                    int d = tableMeta[3 * a + 1];
                    long ea = tableMeta[3 * a + 2] + bucket(input[row + a], tableMeta[3 * a]) * tableMeta[3 * a + 1];
                    long eb = tableMeta[3 * b + 2] + bucket(input[row + b], tableMeta[3 * b]) * tableMeta[3 * b + 1];
                    float s = 0f;
                    for (int t = 0; t < d; t++) {
                        s = s + tables[(int) (ea + t)] * tables[(int) (eb + t)];
                    }
                    y[i] = s;
                } else {
                    y[i] = input[row + a];
                }
            }
        }
        for (int l = 0; l < plan.layers().size(); l++) {
            Gemm g = plan.gemm(l, rows);
            Dense d = layers.get(l);
            sgemm(g.m(), g.n(), g.k(), d.w(), g.lda(), buffers.get(g.b()), g.ldb(), buffers.get(g.c()), g.ldc());
            Layer layer = plan.layers().get(l);
            float[] y = buffers.get(layer.out());
            int act = CublasPlan.actCode(layer.act());
            for (int i = 0; i < rows * g.m(); i++) {                       // kf_bias_act
                float z = y[i] + d.b()[i % g.m()];
                if (act == 1) {
                    z = z > 0f ? z : 0f;
                } else if (act == 2) {
                    z = (float) (1.0 / (1.0 + Math.exp(-(double) z)));
                }
                y[i] = z;
            }
        }
        float[] scores = buffers.get(plan.output());                       // D2H
        for (int i = 0; i < rows; i++) {
            out[i] = scores[i];
        }
    }

    /** {@code kf_bucket}: truncation toward zero, then floor modulo; NaN to row 0. */
    private static long bucket(float v, int vocabulary) {
        if (Float.isNaN(v)) {
            return 0;
        }
        long m = ((long) v) % vocabulary;
        return m < 0 ? m + vocabulary : m;
    }

    /** BLAS sgemm, N/N, alpha 1, beta 0: {@code C[i + j*ldc] = sum_p A[i + p*lda] * B[p + j*ldb]}, FMA in p order. */
    static void sgemm(int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc) {
        if (lda < Math.max(1, m) || ldb < Math.max(1, k) || ldc < Math.max(1, m)) {
            throw new IllegalArgumentException("bad leading dimensions: m=" + m + " k=" + k + " lda=" + lda + " ldb=" + ldb
                    + " ldc=" + ldc); // cuBLAS: CUBLAS_STATUS_INVALID_VALUE
        }
        if ((long) (k - 1) * lda + m > a.length || (long) (n - 1) * ldb + k > b.length || (long) (n - 1) * ldc + m > c.length) {
            throw new IllegalArgumentException("sgemm reads or writes past a buffer"); // on a device: corrupt memory
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(a[i + p * lda], b[p + j * ldb], acc);
                }
                c[i + j * ldc] = acc;
            }
        }
    }
}
