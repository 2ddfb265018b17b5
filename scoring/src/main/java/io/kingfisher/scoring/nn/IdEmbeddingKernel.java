package io.kingfisher.scoring.nn;

import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.IdHash;

/**
 * The arithmetic of {@link IdEmbeddingLayer} on plain row-major arrays, with no ND4J in it.
 *
 * <p>An input row is {@code [id_0, ..., id_{k-1}, x_0, ..., x_{m-1}]}: {@code k} hashed ids, then {@code m} dense
 * features. With {@code e_j} the row of table {@code j} that id {@code j} falls in ({@link IdHash#bucket}), the
 * output row is {@code [e_0, ..., e_{k-1}, (e_i . e_j for i < j, with interactions), x_0, ..., x_{m-1}]}.
 *
 * <p>Backward, for an output gradient {@code g}: the gradient of {@code e_j} is its own slice of {@code g} plus,
 * for each dot product {@code e_i . e_j} with gradient {@code g_ij}, {@code g_ij * e_i}; the dense features get their
 * slice of {@code g}; the id columns get 0 (an id is not a differentiable input).
 */
public final class IdEmbeddingKernel {
    private final int nIn;
    private final int k;
    private final int[] vocabulary;
    private final int[] dimension;
    private final int[] offset;
    private final boolean interactions;
    private final int interactionOffset;
    private final int denseOffset;
    private final int nOut;

    /**
     * @param nIn  width of an input row
     * @param spec the tables and whether to add interactions
     */
    public IdEmbeddingKernel(int nIn, IdEmbeddings spec) {
        this.nIn = nIn;
        this.k = spec.idColumns();
        this.nOut = spec.outputWidth(nIn);
        this.vocabulary = new int[k];
        this.dimension = new int[k];
        this.offset = new int[k];
        int o = 0;
        for (int j = 0; j < k; j++) {
            vocabulary[j] = spec.tables().get(j).vocabulary();
            dimension[j] = spec.tables().get(j).dimension();
            offset[j] = o;
            o += dimension[j];
        }
        this.interactions = spec.interactions();
        this.interactionOffset = o;
        this.denseOffset = o + spec.interactionColumns();
    }

    /** @return width of an output row */
    public int outputWidth() {
        return nOut;
    }

    /** @return width of an input row */
    public int inputWidth() {
        return nIn;
    }

    /** @return the number of id columns */
    public int idColumns() {
        return k;
    }

    /** @return the width of table {@code j} */
    public int dimension(int j) {
        return dimension[j];
    }

    /** @return the rows of table {@code j} */
    public int vocabulary(int j) {
        return vocabulary[j];
    }

    /** @return the output column where embedding {@code j} starts */
    public int outputOffset(int j) {
        return offset[j];
    }

    /** @return true if the pairwise dot products follow the embeddings */
    public boolean interactions() {
        return interactions;
    }

    /** @return the output column of the first dot product (the end of the embeddings) */
    public int interactionOffset() {
        return interactionOffset;
    }

    /** @return the output column where the dense pass-through columns start */
    public int denseOffset() {
        return denseOffset;
    }

    /**
     * @param in   {@code rows * inputWidth()} values, row-major
     * @param rows rows in {@code in}
     * @return {@code rows * idColumns()} table rows, row-major: entry {@code r * k + j} is the row of table {@code j}
     *     that row {@code r}'s id {@code j} falls in
     */
    public int[] buckets(float[] in, int rows) {
        int[] b = new int[rows * k];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                b[r * k + j] = IdHash.bucket(in[r * nIn + j], vocabulary[j]);
            }
        }
        return b;
    }

    /**
     * @param in   {@code rows * inputWidth()} values, row-major
     * @param rows rows in {@code in}
     * @param emb  per table, the looked-up embeddings, {@code rows * dimension(j)} values row-major
     * @param out  receives {@code rows * outputWidth()} values, row-major
     */
    public void forward(float[] in, int rows, float[][] emb, float[] out) {
        for (int r = 0; r < rows; r++) {
            int o = r * nOut;
            for (int j = 0; j < k; j++) {
                System.arraycopy(emb[j], r * dimension[j], out, o + offset[j], dimension[j]);
            }
            if (interactions) {
                int c = o + interactionOffset;
                for (int i = 0; i < k; i++) {
                    for (int j = i + 1; j < k; j++) {
                        out[c++] = dot(emb[i], emb[j], r, dimension[i]);
                    }
                }
            }
            System.arraycopy(in, r * nIn + k, out, o + denseOffset, nIn - k);
        }
    }

    /**
     * @param rows    rows of the batch
     * @param emb     the embeddings the forward pass used, as in {@link #forward}
     * @param epsOut  gradient of the loss with respect to the output, {@code rows * outputWidth()} row-major
     * @param embGrad receives, per table, the gradient of each row's embedding, {@code rows * dimension(j)}
     * @param epsIn   receives the gradient with respect to the input, {@code rows * inputWidth()} (0 for id columns)
     */
    public void backward(int rows, float[][] emb, float[] epsOut, float[][] embGrad, float[] epsIn) {
        for (int r = 0; r < rows; r++) {
            int o = r * nOut;
            for (int j = 0; j < k; j++) {
                System.arraycopy(epsOut, o + offset[j], embGrad[j], r * dimension[j], dimension[j]);
            }
            if (interactions) {
                int c = o + interactionOffset;
                for (int i = 0; i < k; i++) {
                    for (int j = i + 1; j < k; j++) {
                        float g = epsOut[c++];
                        int d = dimension[i];
                        int bi = r * d;
                        for (int t = 0; t < d; t++) {
                            embGrad[i][bi + t] += g * emb[j][bi + t];
                            embGrad[j][bi + t] += g * emb[i][bi + t];
                        }
                    }
                }
            }
            int in = r * nIn;
            for (int j = 0; j < k; j++) {
                epsIn[in + j] = 0f;
            }
            System.arraycopy(epsOut, o + denseOffset, epsIn, in + k, nIn - k);
        }
    }

    private static float dot(float[] a, float[] b, int row, int d) {
        float s = 0f;
        int base = row * d;
        for (int t = 0; t < d; t++) {
            s += a[base + t] * b[base + t];
        }
        return s;
    }
}
