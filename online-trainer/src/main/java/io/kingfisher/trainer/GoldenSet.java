package io.kingfisher.trainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * A fixed, trusted set of labelled feature rows that no online candidate trains on: the warm start's validation
 * split. The gate scores the champion and each candidate on it, so a candidate that learned from corrupted labels
 * (flipped, shifted, poisoned) is caught even when it looks good on its own label stream.
 *
 * <p>Encoded as a small binary file ({@link #encode()}, {@link #decode(byte[])}): magic, rows, columns, the rows
 * row-major as floats, then the labels.
 *
 * @param x rows, all of one width
 * @param y labels, 0 or 1, one per row
 */
public record GoldenSet(float[][] x, float[] y) {
    private static final int MAGIC = 0x4B46_4753; // "KFGS"
    private static final int FORMAT = 1;
    /** Most rows kept: the gate scores all of them for each candidate. */
    public static final int MAX_ROWS = 20_000;

    public GoldenSet {
        if (x == null || y == null || x.length != y.length || x.length == 0) {
            throw new IllegalArgumentException("a golden set needs as many labels as rows, at least one row");
        }
        int width = x[0].length;
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != width) {
                throw new IllegalArgumentException("golden row " + i + " has " + x[i].length + " columns, expected " + width);
            }
            if (y[i] != 0f && y[i] != 1f) {
                throw new IllegalArgumentException("golden label " + i + " must be 0 or 1, was " + y[i]);
            }
        }
    }

    /** @return the given rows of {@code x} and {@code y}, at most {@link #MAX_ROWS} of them (evenly spaced) */
    public static GoldenSet of(float[][] x, float[] y, int[] rows) {
        int n = Math.min(rows.length, MAX_ROWS);
        float[][] gx = new float[n][];
        float[] gy = new float[n];
        for (int i = 0; i < n; i++) {
            int r = rows[(int) ((long) i * rows.length / n)];
            gx[i] = x[r].clone();
            gy[i] = y[r];
        }
        return new GoldenSet(gx, gy);
    }

    public int width() {
        return x[0].length;
    }

    public long positives() {
        long p = 0;
        for (float v : y) {
            p += v == 1f ? 1 : 0;
        }
        return p;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + x.length * (width() + 1) * 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(x.length);
            out.writeInt(width());
            for (float[] row : x) {
                for (float v : row) {
                    out.writeFloat(v);
                }
            }
            for (float v : y) {
                out.writeFloat(v);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not a golden set of a known format */
    public static GoldenSet decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a golden set (bad magic)");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException("golden set format " + format + " is not supported (expected " + FORMAT + ")");
            }
            int rows = in.readInt();
            int width = in.readInt();
            if (rows < 1 || width < 1 || (long) rows * (width + 1) * 4 > bytes.length) {
                throw new IllegalArgumentException("golden set header says " + rows + "x" + width + ", inconsistent with "
                        + bytes.length + " bytes");
            }
            float[][] x = new float[rows][width];
            for (float[] row : x) {
                for (int j = 0; j < width; j++) {
                    row[j] = in.readFloat();
                }
            }
            float[] y = new float[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = in.readFloat();
            }
            return new GoldenSet(x, y);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated golden set: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoldenSet g && Arrays.deepEquals(x, g.x) && Arrays.equals(y, g.y);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(x) + Arrays.hashCode(y);
    }

    @Override
    public String toString() {
        return "GoldenSet{" + x.length + " rows x " + width() + ", " + positives() + " positives}";
    }
}
