package io.kingfisher.scoring.compress;

/**
 * A 2-D float matrix stored as int8 values with one float scale per channel: element {@code (r, c)} is
 * {@code values[r * cols + c] * scale}, where the scale is that of column {@code c} ({@link Axis#PER_COLUMN})
 * or of row {@code r} ({@link Axis#PER_ROW}). Values are in {@code [-127, 127]} (symmetric: -128 is never used).
 *
 * @param rows   rows of the matrix
 * @param cols   columns of the matrix
 * @param axis   which channel a scale belongs to
 * @param values {@code rows * cols} int8 values, row-major; not copied
 * @param scales one scale per channel ({@code cols} or {@code rows} of them), each finite and {@code >= 0}; not copied
 */
public record QuantizedMatrix(int rows, int cols, Axis axis, byte[] values, float[] scales) {

    /** Which index of the matrix a scale is shared along. */
    public enum Axis {
        /** One scale per column: a dense layer's weights {@code [nIn, nOut]}, one per output unit. */
        PER_COLUMN,
        /** One scale per row: an embedding table {@code [vocabulary, dimension]}, one per embedded id. */
        PER_ROW
    }

    public QuantizedMatrix {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("a quantized matrix needs rows and cols >= 0, was " + rows + "x" + cols);
        }
        if (axis == null) {
            throw new IllegalArgumentException("axis must not be null");
        }
        if (values == null || values.length != (long) rows * cols) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " values, had " + (values == null ? "null" : values.length));
        }
        int channels = axis == Axis.PER_COLUMN ? cols : rows;
        if (scales == null || scales.length != channels) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix quantized " + axis + " needs " + channels
                    + " scales, had " + (scales == null ? "null" : scales.length));
        }
        for (int i = 0; i < scales.length; i++) {
            if (!(scales[i] >= 0) || !Float.isFinite(scales[i])) {
                throw new IllegalArgumentException("scale " + i + " must be finite and >= 0, was " + scales[i]);
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == Byte.MIN_VALUE) {
                throw new IllegalArgumentException("value " + i + " is -128; symmetric int8 uses [-127, 127]");
            }
        }
    }

    /** @return the scale of element {@code (r, c)} */
    public float scale(int r, int c) {
        return axis == Axis.PER_COLUMN ? scales[c] : scales[r];
    }

    /** @return the float matrix this stands for, row-major */
    public float[] dequantize() {
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                out[base + c] = values[base + c] * scale(r, c);
            }
        }
        return out;
    }

    /**
     * @return the largest error rounding can have made in any element: half the largest scale (an element is off
     *     by at most half of its own channel's scale)
     */
    public double maxRoundingError() {
        float max = 0f;
        for (float s : scales) {
            max = Math.max(max, s);
        }
        return max / 2.0;
    }

    /** @return bytes of the int8 values and the float scales */
    public long storedBytes() {
        return values.length + 4L * scales.length;
    }
}
