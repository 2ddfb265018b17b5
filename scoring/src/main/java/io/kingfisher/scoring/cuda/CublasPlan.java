package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.nn.IdEmbeddingKernel;
import io.kingfisher.scoring.reference.ReferenceNetwork;
import io.kingfisher.scoring.reference.ReferenceNetwork.Act;
import io.kingfisher.scoring.reference.ReferenceNetwork.Dense;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link CublasModel} does on the device for one network and batch capacity, worked out in plain Java: the
 * device buffers and their sizes, the order of the steps, every {@code cublasSgemm} argument and every kernel launch's
 * grid. {@link CublasModel} only allocates what this says and issues the calls; tests run a plan through a Java model of
 * cuBLAS and the kernels and get {@link ReferenceNetwork}'s scores bit for bit, with no GPU.
 *
 * <p>Per batch of {@code rows} rows, on the model's stream (the order of {@link ReferenceNetwork}):
 * <ol>
 *   <li>copy {@code rows * inputSize} floats from the pinned host buffer to {@link Buffer#INPUT};</li>
 *   <li>if the network standardizes: {@code kf_standardize} over {@link Buffer#INPUT} in place;</li>
 *   <li>if it has an embedding front: {@code kf_embed} from {@link Buffer#INPUT} to {@link Buffer#EMBEDDED}, one
 *       thread per output value, as described by {@link #embeddingColumns()} and {@link #tableMeta()};</li>
 *   <li>per dense layer, {@link #gemm(int, int)} then {@code kf_bias_act} over its output;</li>
 *   <li>copy {@code rows} floats of the last layer's output ({@link #output()}) back and wait for the stream.</li>
 * </ol>
 *
 * <p><b>Row-major GEMM through a column-major BLAS.</b> A row-major {@code [r, c]} array is the column-major
 * {@code [c, r]} array of its transpose, with leading dimension {@code c}. {@code Z = X · W} (row-major
 * {@code [rows, nIn] · [nIn, nOut]}) is therefore computed as {@code Zᵀ = Wᵀ · Xᵀ}: {@code cublasSgemm(N, N, m = nOut,
 * n = rows, k = nIn, A = W, lda = nOut, B = X, ldb = nIn, C = Z, ldc = nOut)}, no transposes and no copies.
 */
public final class CublasPlan {

    /** Threads per block of the element-wise kernels. */
    public static final int BLOCK = 256;

    /** Column kinds of {@link #embeddingColumns()}. */
    public static final int COLUMN_EMBEDDING = 0;
    public static final int COLUMN_DOT = 1;
    public static final int COLUMN_DENSE = 2;

    /** Activation codes passed to {@code kf_bias_act}. */
    public static int actCode(Act act) {
        return switch (act) {
            case IDENTITY -> 0;
            case RELU -> 1;
            case SIGMOID -> 2;
        };
    }

    /** The device buffers of a model's batch (weights are separate and fixed). */
    public enum Buffer {
        /** the raw (then standardized) features, {@code capacity * inputSize} */
        INPUT,
        /** the embedding front's output, {@code capacity * embedding width}; absent without an embedding front */
        EMBEDDED,
        /** dense layer outputs, alternating, {@code capacity * widest layer} each */
        PING, PONG
    }

    /**
     * One {@code cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, 1, A, lda, B, ldb, 0, C, ldc)} call, in cuBLAS's
     * column-major terms: {@code A} is the layer's weight array, {@code B} and {@code C} are batch buffers.
     */
    public record Gemm(int layer, int m, int n, int k, int lda, int ldb, int ldc, Buffer b, Buffer c) {
    }

    /** One dense layer's place in the plan: it reads {@code in} and writes {@code out}. */
    public record Layer(int index, int nIn, int nOut, Act act, Buffer in, Buffer out) {
    }

    private final int inputSize;
    private final int capacity;
    private final boolean standardize;
    private final int embeddingWidth;
    private final int[] tableMeta;
    private final int[] columns;
    private final int tableFloats;
    private final List<Layer> layers;
    private final Map<Buffer, Long> sizes;

    private CublasPlan(int inputSize, int capacity, boolean standardize, int embeddingWidth, int[] tableMeta,
                       int[] columns, int tableFloats, List<Layer> layers, Map<Buffer, Long> sizes) {
        this.inputSize = inputSize;
        this.capacity = capacity;
        this.standardize = standardize;
        this.embeddingWidth = embeddingWidth;
        this.tableMeta = tableMeta;
        this.columns = columns;
        this.tableFloats = tableFloats;
        this.layers = List.copyOf(layers);
        this.sizes = sizes;
    }

    /**
     * @param net      the extracted network
     * @param capacity the most rows per batch, {@code >= 1}
     * @return the plan
     * @throws IllegalArgumentException if a batch buffer would exceed {@link Integer#MAX_VALUE} floats (kernel indices
     *     are 32-bit)
     */
    public static CublasPlan of(ReferenceNetwork net, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be >= 1, was " + capacity);
        }
        Map<Buffer, Long> sizes = new EnumMap<>(Buffer.class);
        sizes.put(Buffer.INPUT, floats(capacity, net.inputSize(), "input"));
        IdEmbeddingKernel emb = net.embedding();
        int embeddingWidth = 0;
        int[] tableMeta = new int[0];
        int[] columns = new int[0];
        long tableFloats = 0;
        Buffer current = Buffer.INPUT;
        if (emb != null) {
            int k = emb.idColumns();
            embeddingWidth = emb.outputWidth();
            tableMeta = new int[3 * k];
            for (int j = 0; j < k; j++) {
                tableMeta[3 * j] = emb.vocabulary(j);
                tableMeta[3 * j + 1] = emb.dimension(j);
                tableMeta[3 * j + 2] = Math.toIntExact(tableFloats);
                tableFloats += (long) emb.vocabulary(j) * emb.dimension(j);
                if (tableFloats > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("embedding tables hold more than " + Integer.MAX_VALUE + " floats");
                }
            }
            columns = embeddingColumns(emb);
            sizes.put(Buffer.EMBEDDED, floats(capacity, embeddingWidth, "embedding output"));
            current = Buffer.EMBEDDED;
        }
        int widest = 0;
        for (Dense d : net.layers()) {
            widest = Math.max(widest, d.nOut());
        }
        long hidden = floats(capacity, widest, "layer output");
        sizes.put(Buffer.PING, hidden);
        if (net.layers().size() > 1) {
            sizes.put(Buffer.PONG, hidden);
        }
        List<Layer> layers = new ArrayList<>();
        List<Dense> dense = net.layers();
        for (int i = 0; i < dense.size(); i++) {
            Dense d = dense.get(i);
            Buffer out = i % 2 == 0 ? Buffer.PING : Buffer.PONG;
            layers.add(new Layer(i, d.nIn(), d.nOut(), d.act(), current, out));
            current = out;
        }
        return new CublasPlan(net.inputSize(), capacity, net.standardizes(), embeddingWidth, tableMeta, columns,
                (int) tableFloats, layers, sizes);
    }

    /** Four ints per output column of the embedding front: kind, a, b, 0. */
    private static int[] embeddingColumns(IdEmbeddingKernel emb) {
        int k = emb.idColumns();
        int out = emb.outputWidth();
        int[] c = new int[4 * out];
        for (int j = 0; j < k; j++) {
            for (int t = 0; t < emb.dimension(j); t++) {
                int col = emb.outputOffset(j) + t;
                c[4 * col] = COLUMN_EMBEDDING;
                c[4 * col + 1] = j;
                c[4 * col + 2] = t;
            }
        }
        if (emb.interactions()) {
            int col = emb.interactionOffset();
            for (int i = 0; i < k; i++) {
                for (int j = i + 1; j < k; j++) {
                    c[4 * col] = COLUMN_DOT;
                    c[4 * col + 1] = i;
                    c[4 * col + 2] = j;
                    col++;
                }
            }
        }
        for (int col = emb.denseOffset(); col < out; col++) {
            c[4 * col] = COLUMN_DENSE;
            c[4 * col + 1] = k + (col - emb.denseOffset());
        }
        return c;
    }

    private static long floats(int rows, int width, String what) {
        long n = (long) rows * width;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the " + what + " buffer of " + rows + " x " + width
                    + " floats exceeds " + Integer.MAX_VALUE + "; use a smaller scoring.batch_size");
        }
        return n;
    }

    /** @return raw features per row */
    public int inputSize() {
        return inputSize;
    }

    /** @return the most rows per batch */
    public int capacity() {
        return capacity;
    }

    /** @return true if {@code kf_standardize} runs first */
    public boolean standardizes() {
        return standardize;
    }

    /** @return true if {@code kf_embed} runs */
    public boolean embeds() {
        return embeddingWidth > 0;
    }

    /** @return the width of the embedding front's output rows (0 without one) */
    public int embeddingWidth() {
        return embeddingWidth;
    }

    /**
     * @return per table {@code j}, three ints: vocabulary, dimension, and the float offset of its first row in the
     *     concatenated tables (the single device array {@code kf_embed} reads); a copy
     */
    public int[] tableMeta() {
        return tableMeta.clone();
    }

    /** @return the number of floats in the concatenated embedding tables */
    public int tableFloats() {
        return tableFloats;
    }

    /**
     * @return per output column of the embedding front, four ints: {@link #COLUMN_EMBEDDING} (table, element),
     *     {@link #COLUMN_DOT} (table i, table j: the dot product of the two looked-up rows, in element order,
     *     float32 multiply then add, no FMA) or {@link #COLUMN_DENSE} (input column); a copy
     */
    public int[] embeddingColumns() {
        return columns.clone();
    }

    /** @return the dense layers in order */
    public List<Layer> layers() {
        return layers;
    }

    /** @return the buffers to allocate, with their sizes in floats */
    public Map<Buffer, Long> bufferFloats() {
        return new EnumMap<>(sizes);
    }

    /** @return the buffer that holds the scores (column 0 of the last layer) after a batch */
    public Buffer output() {
        return layers.get(layers.size() - 1).out();
    }

    /**
     * @param layer an index into {@link #layers()}
     * @param rows  rows of this batch, in {@code [1, capacity]}
     * @return the GEMM of that layer for that batch
     */
    public Gemm gemm(int layer, int rows) {
        checkRows(rows);
        Layer l = layers.get(layer);
        return new Gemm(layer, l.nOut(), rows, l.nIn(), l.nOut(), l.nIn(), l.nOut(), l.in(), l.out());
    }

    /**
     * @param elements threads wanted, one per element, {@code >= 1}
     * @return blocks of {@link #BLOCK} threads that cover them
     */
    public static int blocks(long elements) {
        if (elements < 1 || elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("elements must be in [1, " + Integer.MAX_VALUE + "], was " + elements);
        }
        return (int) ((elements + BLOCK - 1) / BLOCK);
    }

    /**
     * @param rows rows of a batch
     * @throws IllegalArgumentException unless {@code 1 <= rows <= capacity}
     */
    public void checkRows(int rows) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("rows must be in [1, " + capacity + "], was " + rows);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("CublasPlan(capacity=").append(capacity).append(", ");
        if (standardize) {
            s.append("standardize, ");
        }
        if (embeds()) {
            s.append("embed->").append(embeddingWidth).append(", ");
        }
        for (Layer l : layers) {
            s.append("sgemm ").append(l.nIn()).append('x').append(l.nOut()).append('+').append(l.act()).append(", ");
        }
        return s.append("out=").append(output()).append(')').toString();
    }
}
