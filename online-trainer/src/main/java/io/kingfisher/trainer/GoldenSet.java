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
 * <p>Each row may carry its history age: how long the history had been running (event time since its first event)
 * when the row's features were computed. A feature whose state starts empty (a 7-day count) is low in the history's
 * first days; comparing live features with the golden rows (PSI) uses, for each column, only rows old enough.
 *
 * <p>Encoded as a small binary file ({@link #encode()}, {@link #decode(byte[])}): magic, format, rows, columns, the
 * rows row-major as floats, the labels, then (format 2) the ages as longs. Format 1, without ages, stays readable.
 *
 * @param x    rows, all of one width
 * @param y    labels, 0 or 1, one per row
 * @param ages each row's history age in ms, or null when unknown
 */
public record GoldenSet(float[][] x, float[] y, long[] ages) {
    private static final int MAGIC = 0x4B46_4753; // "KFGS"
    private static final int WITHOUT_AGES = 1;
    private static final int FORMAT = 2;
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
        if (ages != null && ages.length != x.length) {
            throw new IllegalArgumentException("a golden set needs as many ages as rows, had " + ages.length + " for " + x.length);
        }
    }

    /** Rows without ages. */
    public GoldenSet(float[][] x, float[] y) {
        this(x, y, null);
    }

    /** @return the given rows of {@code x} and {@code y}, at most {@link #MAX_ROWS} of them (evenly spaced), no ages */
    public static GoldenSet of(float[][] x, float[] y, int[] rows) {
        return of(x, y, null, rows);
    }

    /**
     * @param ages each row's history age in ms (see the class comment), or null
     * @return the given rows of {@code x}, {@code y} and {@code ages}, at most {@link #MAX_ROWS} of them (evenly spaced)
     */
    public static GoldenSet of(float[][] x, float[] y, long[] ages, int[] rows) {
        int n = Math.min(rows.length, MAX_ROWS);
        float[][] gx = new float[n][];
        float[] gy = new float[n];
        long[] ga = ages == null ? null : new long[n];
        for (int i = 0; i < n; i++) {
            int r = rows[(int) ((long) i * rows.length / n)];
            gx[i] = x[r].clone();
            gy[i] = y[r];
            if (ga != null) {
                ga[i] = ages[r];
            }
        }
        return new GoldenSet(gx, gy, ga);
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
            out.writeBoolean(ages != null);
            if (ages != null) {
                for (long a : ages) {
                    out.writeLong(a);
                }
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
            if (format != FORMAT && format != WITHOUT_AGES) {
                throw new IllegalArgumentException("golden set format " + format + " is not supported (expected "
                        + WITHOUT_AGES + " or " + FORMAT + ")");
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
            long[] ages = null;
            if (format == FORMAT && in.readBoolean()) {
                ages = new long[rows];
                for (int i = 0; i < rows; i++) {
                    ages[i] = in.readLong();
                }
            }
            return new GoldenSet(x, y, ages);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated golden set: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoldenSet g && Arrays.deepEquals(x, g.x) && Arrays.equals(y, g.y) && Arrays.equals(ages, g.ages);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.deepHashCode(x) + Arrays.hashCode(y)) + Arrays.hashCode(ages);
    }

    @Override
    public String toString() {
        return "GoldenSet{" + x.length + " rows x " + width() + ", " + positives() + " positives}";
    }
}
