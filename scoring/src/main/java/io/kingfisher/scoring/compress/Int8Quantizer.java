package io.kingfisher.scoring.compress;

import io.kingfisher.scoring.compress.QuantizedMatrix.Axis;

/**
 * Symmetric per-channel int8 quantization: for each channel (an output column of a weight matrix, or a row of an
 * embedding table) {@code scale = max|w| / 127} and {@code q = round(w / scale)}, so {@code q} is in
 * {@code [-127, 127]}, zero stays exactly zero, the channel's largest weight is exact, and every element is off by
 * at most {@code scale / 2}. A channel of zeros gets scale 0. Scaling per channel rather than per matrix keeps a
 * unit with small weights from losing all its resolution to a neighbour with large ones. Plain Java, stateless.
 */
public final class Int8Quantizer {

    /** Largest magnitude of a quantized value. */
    public static final int LEVELS = 127;

    private Int8Quantizer() {
    }

    /**
     * @param rowMajor {@code rows * cols} finite values
     * @param rows     rows
     * @param cols     columns
     * @param axis     which channel shares a scale
     * @return the quantized matrix
     * @throws IllegalArgumentException if the shape does not fit the values or a value is not finite
     */
    public static QuantizedMatrix quantize(float[] rowMajor, int rows, int cols, Axis axis) {
        if (rowMajor == null || rows < 0 || cols < 0 || rowMajor.length != (long) rows * cols) {
            throw new IllegalArgumentException("cannot quantize " + (rowMajor == null ? "null" : rowMajor.length + " values")
                    + " as a " + rows + "x" + cols + " matrix");
        }
        if (axis == null) {
            throw new IllegalArgumentException("axis must not be null");
        }
        boolean perColumn = axis == Axis.PER_COLUMN;
        float[] maxAbs = new float[perColumn ? cols : rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = rowMajor[r * cols + c];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("cannot quantize a non-finite weight: element (" + r + ", " + c + ") is " + v);
                }
                int ch = perColumn ? c : r;
                maxAbs[ch] = Math.max(maxAbs[ch], Math.abs(v));
            }
        }
        float[] scales = new float[maxAbs.length];
        float[] inverse = new float[maxAbs.length];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = maxAbs[i] / LEVELS;
            inverse[i] = scales[i] > 0 ? 1f / scales[i] : 0f;
        }
        byte[] q = new byte[rowMajor.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                int ch = perColumn ? c : r;
                int v = Math.round(rowMajor[i] * inverse[ch]);
                q[i] = (byte) Math.max(-LEVELS, Math.min(LEVELS, v));
            }
        }
        return new QuantizedMatrix(rows, cols, axis, q, scales);
    }
}
