package io.kingfisher.scoring.nn;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The running {@link IdEmbeddingLayer}: moves rows between ND4J and {@link IdEmbeddingKernel}, looks the embeddings
 * up in the tables, and adds each row's embedding gradient into the gradient of the table row it came from (rows
 * that several examples share accumulate). Only the looked-up rows are read and written, so the cost is
 * {@code O(batch * width)}, independent of the vocabulary, apart from zeroing the gradient tables once per batch.
 * The input gradient is exact for the dense columns and 0 for the id columns.
 */
public final class IdEmbeddingLayerImpl extends BaseLayer<IdEmbeddingLayer> {
    private static final long serialVersionUID = 1L;

    private transient IdEmbeddingKernel kernel;

    /**
     * @param conf     the layer's configuration (an {@link IdEmbeddingLayer})
     * @param dataType the network's data type
     */
    public IdEmbeddingLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private IdEmbeddingKernel kernel() {
        if (kernel == null) {
            kernel = layerConf().kernel();
        }
        return kernel;
    }

    @Override
    protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        IdEmbeddingKernel k = kernel();
        int rows = rows(input, k.inputWidth(), "input");
        float[] in = rowMajor(input, rows, k.inputWidth());
        float[][] emb = gather(k, k.buckets(in, rows), rows);
        float[] out = new float[rows * k.outputWidth()];
        k.forward(in, rows, emb, out);
        INDArray ret = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {rows, k.outputWidth()}, 'c');
        write(ret, out);
        return ret;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return preOutput(training, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        IdEmbeddingKernel k = kernel();
        int rows = rows(input, k.inputWidth(), "input");
        if (epsilon.rank() != 2 || epsilon.size(0) != rows || epsilon.size(1) != k.outputWidth()) {
            throw new DL4JInvalidInputException("epsilon must have shape [" + rows + ", " + k.outputWidth() + "], was "
                    + java.util.Arrays.toString(epsilon.shape()) + " " + layerId());
        }
        float[] in = rowMajor(input, rows, k.inputWidth());
        int[] buckets = k.buckets(in, rows);
        float[][] emb = gather(k, buckets, rows);
        float[] eps = rowMajor(epsilon, rows, k.outputWidth());
        float[][] embGrad = new float[k.idColumns()][];
        for (int j = 0; j < embGrad.length; j++) {
            embGrad[j] = new float[rows * k.dimension(j)];
        }
        float[] epsIn = new float[rows * k.inputWidth()];
        k.backward(rows, emb, eps, embGrad, epsIn);

        Gradient gradient = new DefaultGradient();
        int ids = k.idColumns();
        for (int j = 0; j < ids; j++) {
            String key = IdEmbeddingParams.key(j);
            INDArray view = gradientViews.get(key);
            view.assign(0);
            DataBuffer buf = view.data();
            long base = rowMajorOffset(view);
            int d = k.dimension(j);
            for (int r = 0; r < rows; r++) {
                long at = base + (long) buckets[r * ids + j] * d;
                for (int t = 0; t < d; t++) {
                    buf.put(at + t, buf.getFloat(at + t) + embGrad[j][r * d + t]);
                }
            }
            gradient.gradientForVariable().put(key, view);
        }
        INDArray epsNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                new long[] {rows, k.inputWidth()}, 'c');
        write(epsNext, epsIn);
        return new Pair<>(gradient, epsNext);
    }

    /** Per table, the embeddings of each row's id ({@code rows * dimension}, row-major). */
    private float[][] gather(IdEmbeddingKernel k, int[] buckets, int rows) {
        int ids = k.idColumns();
        float[][] emb = new float[ids][];
        for (int j = 0; j < ids; j++) {
            INDArray table = getParam(IdEmbeddingParams.key(j));
            DataBuffer buf = table.data();
            long base = rowMajorOffset(table);
            int d = k.dimension(j);
            float[] e = new float[rows * d];
            for (int r = 0; r < rows; r++) {
                long at = base + (long) buckets[r * ids + j] * d;
                for (int t = 0; t < d; t++) {
                    e[r * d + t] = buf.getFloat(at + t);
                }
            }
            emb[j] = e;
        }
        return emb;
    }

    /**
     * Where a dense row-major matrix starts in its buffer. Tables and gradient tables are built that way
     * ({@link IdEmbeddingParams}); anything else is a bug, not a slow path.
     */
    private static long rowMajorOffset(INDArray m) {
        if (!isDenseRowMajor(m)) {
            throw new IllegalStateException("not a dense row-major matrix: shape " + java.util.Arrays.toString(m.shape())
                    + ", stride " + java.util.Arrays.toString(m.stride()));
        }
        return start(m);
    }

    /** Rows contiguous and one after the other (a stride along a dimension of size 1 does not matter). */
    private static boolean isDenseRowMajor(INDArray m) {
        if (m.rank() != 2) {
            return false;
        }
        long[] stride = m.stride();
        return (m.size(1) == 1 || stride[1] == 1) && (m.size(0) == 1 || stride[0] == m.size(1));
    }

    /**
     * Index of the array's first element in {@code m.data()}. A view's buffer may itself be a view that starts at
     * the array's offset, or the whole underlying buffer; the difference of the two offsets covers both.
     */
    private static long start(INDArray m) {
        return m.offset() - m.data().offset();
    }

    /** Writes row-major values into a freshly created row-major array. */
    private static void write(INDArray target, float[] values) {
        DataBuffer buf = target.data();
        long base = rowMajorOffset(target);
        for (int i = 0; i < values.length; i++) {
            buf.put(base + i, values[i]);
        }
    }

    private int rows(INDArray a, int width, String what) {
        if (a.rank() != 2 || a.size(1) != width) {
            throw new DL4JInvalidInputException(what + " must have shape [rows, " + width + "], was "
                    + java.util.Arrays.toString(a.shape()) + " " + layerId());
        }
        return Math.toIntExact(a.size(0));
    }

    private static float[] rowMajor(INDArray a, int rows, int width) {
        INDArray dense = isDenseRowMajor(a) ? a : a.dup('c');
        DataBuffer buf = dense.data();
        long base = start(dense);
        float[] flat = new float[rows * width];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = buf.getFloat(base + i);
        }
        return flat;
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    protected void applyDropOutIfNecessary(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (training && layerConf().getIDropout() != null) {
            throw new UnsupportedOperationException("dropout is not supported on an IdEmbeddingLayer " + layerId());
        }
    }
}
