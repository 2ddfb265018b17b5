package io.kingfisher.scoring.reference;

import io.kingfisher.scoring.BatchArguments;
import io.kingfisher.scoring.IdHash;
import io.kingfisher.scoring.nn.IdEmbeddingKernel;
import io.kingfisher.scoring.nn.IdEmbeddingLayer;
import io.kingfisher.scoring.nn.IdEmbeddingParams;
import io.kingfisher.scoring.nn.StandardizingPreProcessor;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A plain-Java forward pass of a network built by {@link io.kingfisher.scoring.Architectures}, with its parameters
 * copied once out of the DL4J network into float arrays laid out as they would be uploaded to a device.
 *
 * <p>Supported: an optional {@link StandardizingPreProcessor} in front of layer 0, an optional
 * {@link IdEmbeddingLayer} as layer 0, then {@link DenseLayer}s and a final {@link OutputLayer} with identity, ReLU
 * or sigmoid activations. Anything else fails at extraction ({@link #of}) with a message naming the layer class.
 *
 * <p>Computation order, per batch of {@code rows} rows (all arithmetic in float32, like the device):
 * <ol>
 *   <li>Standardize: {@code x[r][i] = (x[r][i] - mean[i]) * inv[i]} with {@code inv[i] = 1f / std[i]} computed once
 *       at extraction (exactly what {@link StandardizingPreProcessor} does).</li>
 *   <li>Embedding front (if any): per row, look up each id's table row ({@link IdHash#bucket}), then
 *       {@link IdEmbeddingKernel#forward} (embeddings, pairwise dot products accumulated left to right in float32,
 *       dense pass-through columns).</li>
 *   <li>Per dense layer, as one GEMM over the whole batch, {@code Z = X · W} with {@code X} [rows, nIn] and
 *       {@code W} [nIn, nOut], both row-major: for each row {@code r}, for each output {@code o}, {@code acc = 0f}
 *       then for {@code i = 0 .. nIn-1} {@code acc = fma(X[r][i], W[i][o], acc)} (sequential k order, fused
 *       multiply-add in float32 as a GPU's GEMM inner loop does). Then, as a separate elementwise pass (the
 *       bias+activation kernel after the GEMM): {@code Y[r][o] = act(acc + b[o])}.</li>
 *   <li>The score of row {@code r} is {@code Y[r][0]} of the last layer, widened to double.</li>
 * </ol>
 * A real cuBLAS GEMM may split and reorder the k loop (tiles, split-K), so device results are expected to agree
 * with this reference within a tolerance (tests use 1e-5 against ND4J), not bit for bit.
 *
 * <p>Not thread-safe: scratch buffers are reused between calls.
 */
public final class ReferenceNetwork {

    /** Element-wise activations the reference implements (a device backend implements the same three). */
    public enum Act {
        IDENTITY, RELU, SIGMOID;

        /**
         * @param z a pre-activation
         * @return the activation, in float32; sigmoid is computed in double and rounded once
         */
        public float apply(float z) {
            return switch (this) {
                case IDENTITY -> z;
                case RELU -> z > 0f ? z : 0f;
                case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-(double) z)));
            };
        }
    }

    /**
     * One dense layer, as extracted: {@code W} row-major {@code [nIn, nOut]}, {@code b} {@code [nOut]}. The arrays are
     * the reference's own: callers must not modify them.
     */
    public record Dense(int nIn, int nOut, float[] w, float[] b, Act act) {
    }

    private final int inputSize;
    private final float[] mean;
    private final float[] inv;
    private final IdEmbeddingKernel embedding;
    private final float[][] tables;
    private final List<Dense> layers;
    private float[] bufA = new float[0];
    private float[] bufB = new float[0];

    private ReferenceNetwork(int inputSize, float[] mean, float[] inv, IdEmbeddingKernel embedding, float[][] tables,
            List<Dense> layers) {
        this.inputSize = inputSize;
        this.mean = mean;
        this.inv = inv;
        this.embedding = embedding;
        this.tables = tables;
        this.layers = List.copyOf(layers);
    }

    /**
     * Copies the network's parameters out; the network itself is not kept.
     *
     * @param net a network built by {@link io.kingfisher.scoring.Architectures}
     * @return the reference network
     * @throws IllegalArgumentException naming the layer (or preprocessor) class if the network has a part the
     *     reference does not implement
     */
    public static ReferenceNetwork of(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        int n = conf.getConfs().size();
        for (int i = 1; i < n; i++) {
            if (conf.getInputPreProcess(i) != null) {
                throw new IllegalArgumentException("unsupported input preprocessor before layer " + i + ": "
                        + conf.getInputPreProcess(i).getClass().getName());
            }
        }
        float[] mean = null;
        float[] inv = null;
        InputPreProcessor pre = conf.getInputPreProcess(0);
        if (pre != null) {
            if (!(pre instanceof StandardizingPreProcessor s)) {
                throw new IllegalArgumentException("unsupported input preprocessor before layer 0: "
                        + pre.getClass().getName());
            }
            mean = s.getMean();
            float[] std = s.getStd();
            inv = new float[std.length];
            for (int i = 0; i < std.length; i++) {
                inv[i] = 1.0f / std[i];
            }
        }
        IdEmbeddingKernel embedding = null;
        float[][] tables = null;
        List<Dense> dense = new ArrayList<>();
        int inputSize = -1;
        for (int i = 0; i < n; i++) {
            Layer layer = conf.getConf(i).getLayer();
            if (i == 0 && layer instanceof IdEmbeddingLayer emb) {
                embedding = emb.kernel();
                inputSize = embedding.inputWidth();
                tables = new float[embedding.idColumns()][];
                for (int j = 0; j < tables.length; j++) {
                    tables[j] = rowMajor(net.getLayer(0).getParam(IdEmbeddingParams.key(j)));
                }
                continue;
            }
            if (!(layer instanceof DenseLayer) && !(layer instanceof OutputLayer)) {
                throw new IllegalArgumentException("unsupported layer " + i + ": " + layer.getClass().getName());
            }
            if (layer instanceof OutputLayer && i != n - 1) {
                throw new IllegalArgumentException("unsupported layer " + i + ": OutputLayer before the last layer");
            }
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff =
                    (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
            int nIn = Math.toIntExact(ff.getNIn());
            int nOut = Math.toIntExact(ff.getNOut());
            if (i == 0) {
                inputSize = nIn;
            }
            INDArray w = net.getLayer(i).getParam("W");
            INDArray b = net.getLayer(i).getParam("b");
            if (w == null || w.rank() != 2 || w.size(0) != nIn || w.size(1) != nOut || b == null
                    || b.length() != nOut) {
                throw new IllegalArgumentException("layer " + i + " (" + layer.getClass().getName()
                        + ") has no [nIn, nOut] W and [nOut] b");
            }
            dense.add(new Dense(nIn, nOut, rowMajor(w), rowMajor(b), act(i, layer, ff.getActivationFn())));
        }
        if (dense.isEmpty() || dense.get(dense.size() - 1).nOut() != 1) {
            throw new IllegalArgumentException("the network must end in a one-unit layer");
        }
        if (mean != null && mean.length != inputSize) {
            throw new IllegalArgumentException("standardizer width " + mean.length + " != input width " + inputSize);
        }
        return new ReferenceNetwork(inputSize, mean, inv, embedding, tables, dense);
    }

    private static Act act(int i, Layer layer, IActivation fn) {
        if (fn instanceof ActivationReLU) {
            return Act.RELU;
        }
        if (fn instanceof ActivationSigmoid) {
            return Act.SIGMOID;
        }
        if (fn instanceof ActivationIdentity) {
            return Act.IDENTITY;
        }
        throw new IllegalArgumentException("unsupported activation " + (fn == null ? "null" : fn.getClass().getName())
                + " in layer " + i + " (" + layer.getClass().getName() + ")");
    }

    /** Copies a parameter into a fresh float array in row-major ('c') order. */
    private static float[] rowMajor(INDArray a) {
        long[] shape = a.shape();
        if (a.rank() == 1) {
            float[] out = new float[Math.toIntExact(a.length())];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.getFloat(i);
            }
            return out;
        }
        if (a.rank() != 2) {
            throw new IllegalArgumentException("expected a rank-2 parameter, was rank " + a.rank());
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = a.getFloat(r, c);
            }
        }
        return out;
    }

    /** @return the number of raw features per row */
    public int inputSize() {
        return inputSize;
    }

    /** @return the number of dense layers (the output layer included) */
    public int denseLayers() {
        return layers.size();
    }

    /** @return the dense layers in order, the output layer last (their arrays must not be modified) */
    public List<Dense> layers() {
        return layers;
    }

    /** @return true if the raw features are standardized first ({@link #mean()}, {@link #inverseStd()}) */
    public boolean standardizes() {
        return mean != null;
    }

    /** @return a copy of the standardizer's means, or null without one */
    public float[] mean() {
        return mean == null ? null : mean.clone();
    }

    /** @return a copy of the standardizer's {@code 1f / std}, as computed at extraction, or null without one */
    public float[] inverseStd() {
        return inv == null ? null : inv.clone();
    }

    /** @return the embedding front's arithmetic, or null if the network has none */
    public IdEmbeddingKernel embedding() {
        return embedding;
    }

    /**
     * @param j an id column, {@code < embedding().idColumns()}
     * @return a copy of embedding table {@code j}, row-major {@code [vocabulary, dimension]}
     */
    public float[] table(int j) {
        if (embedding == null) {
            throw new IllegalStateException("the network has no embedding front");
        }
        return tables[j].clone();
    }

    /**
     * Scores a batch.
     *
     * @param rowMajor {@code rows * inputSize()} raw features, row after row (a longer array is allowed)
     * @param rows     number of rows, {@code >= 1}
     * @param out      receives the score of row {@code i} at index {@code i}
     */
    public void forward(float[] rowMajor, int rows, double[] out) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, was " + rows);
        }
        int needed = BatchArguments.check(rowMajor, rows, inputSize, out);
        float[] x = scratchA(needed);
        System.arraycopy(rowMajor, 0, x, 0, needed);
        if (mean != null) {
            for (int r = 0; r < rows; r++) {
                int base = r * inputSize;
                for (int i = 0; i < inputSize; i++) {
                    x[base + i] = (x[base + i] - mean[i]) * inv[i];
                }
            }
        }
        if (embedding != null) {
            x = embed(x, rows);
        }
        for (Dense layer : layers) {
            float[] y = scratchOther(x, rows * layer.nOut());
            gemm(x, rows, layer.nIn(), layer.w(), layer.nOut(), y);
            biasActivation(y, rows, layer.nOut(), layer.b(), layer.act());
            x = y;
        }
        for (int r = 0; r < rows; r++) {
            out[r] = x[r];
        }
    }

    private float[] embed(float[] x, int rows) {
        int k = embedding.idColumns();
        int[] buckets = embedding.buckets(x, rows);
        float[][] emb = new float[k][];
        for (int j = 0; j < k; j++) {
            int d = embedding.dimension(j);
            float[] e = new float[rows * d];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(tables[j], buckets[r * k + j] * d, e, r * d, d);
            }
            emb[j] = e;
        }
        float[] y = scratchOther(x, rows * embedding.outputWidth());
        embedding.forward(x, rows, emb, y);
        return y;
    }

    /** {@code C[rows, n] = A[rows, k] · B[k, n]}, all row-major, float32 FMA accumulation in k order. */
    static void gemm(float[] a, int rows, int k, float[] b, int n, float[] c) {
        for (int r = 0; r < rows; r++) {
            int ar = r * k;
            int cr = r * n;
            for (int o = 0; o < n; o++) {
                float acc = 0f;
                for (int i = 0; i < k; i++) {
                    acc = Math.fma(a[ar + i], b[i * n + o], acc);
                }
                c[cr + o] = acc;
            }
        }
    }

    /** {@code C[r][o] = act(C[r][o] + bias[o])} in place. */
    static void biasActivation(float[] c, int rows, int n, float[] bias, Act act) {
        for (int r = 0; r < rows; r++) {
            int cr = r * n;
            for (int o = 0; o < n; o++) {
                c[cr + o] = act.apply(c[cr + o] + bias[o]);
            }
        }
    }

    private float[] scratchA(int size) {
        if (bufA.length < size) {
            bufA = new float[size];
        }
        return bufA;
    }

    /** A scratch buffer of at least {@code size} that is not {@code inUse}. */
    private float[] scratchOther(float[] inUse, int size) {
        if (inUse == bufA) {
            if (bufB.length < size) {
                bufB = new float[size];
            }
            return bufB;
        }
        if (bufA.length < size) {
            bufA = new float[size];
        }
        return bufA;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ReferenceNetwork(").append(inputSize);
        if (embedding != null) {
            s.append("+emb->").append(embedding.outputWidth());
        }
        for (Dense d : layers) {
            s.append('-').append(d.nOut());
        }
        return s.append(')').toString();
    }
}
