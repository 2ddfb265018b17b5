package io.kingfisher.features;

import java.util.Arrays;

/**
 * A distinct-count sketch over a run of {@code words} double state slots: exact while small, HyperLogLog after.
 *
 * <p><b>Sparse</b> (exact): the first word is {@code -1 - k} and the next {@code k <= words - 1} words hold the
 * 48-bit hashes of the distinct values seen. A NaN first word is an empty sparse sketch. <b>Dense</b> (HyperLogLog):
 * {@code 8 * words} 6-bit registers packed eight to a word, every word in {@code [0, 2^48)}. The sketch turns
 * dense when a value would not fit in the sparse list. Every word is an exact integer value, so it survives any
 * double serializer (NaN canonicalisation included). The hash is a fixed 64-bit FNV-1a over the string's UTF-16
 * units with the MurmurHash3 finalizer, cut to 48 bits: stable across JVMs and runs, since sketches live in
 * state.
 */
final class Hll {
    static final int PER_WORD = 8;
    private static final int BITS = 6;
    private static final long LANE = (1L << BITS) - 1;

    private Hll() {
    }

    /** Stable 48-bit hash of a string. */
    static long hash48(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h >>> 16;
    }

    /** Number of hashes in a sparse sketch whose first word is {@code head}, or -1 when it is dense. */
    static int sparseSize(double head) {
        return Double.isNaN(head) ? 0 : head < 0 ? (int) (-1 - head) : -1;
    }

    /** Makes the sketch at {@code off} an empty sparse one. */
    static void clear(double[] st, int off, int words) {
        Arrays.fill(st, off, off + words, 0.0);
        st[off] = -1;
    }

    /** Folds a 48-bit hash into the sketch of {@code words} words at {@code off}. */
    static void add(double[] st, int off, int words, long hash) {
        int k = sparseSize(st[off]);
        if (k >= 0) {
            for (int i = 1; i <= k; i++) {
                if ((long) st[off + i] == hash) {
                    return;
                }
            }
            if (k < words - 1) {
                st[off + 1 + k] = hash;
                st[off] = -2 - k;
                return;
            }
            long[] held = new long[k];
            for (int i = 0; i < k; i++) {
                held[i] = (long) st[off + 1 + i];
            }
            Arrays.fill(st, off, off + words, 0.0);
            int p = precision(words);
            for (long h : held) {
                setRegister(st, off, p, h);
            }
        }
        setRegister(st, off, precision(words), hash);
    }

    private static int precision(int words) {
        return Integer.numberOfTrailingZeros(words * PER_WORD);
    }

    /** Register index from the top {@code p} bits, rank from the leading zeros of the other {@code 48 - p} (at most 49 - p). */
    private static void setRegister(double[] st, int off, int p, long hash) {
        int idx = (int) (hash >>> (48 - p));
        int rank = Long.numberOfLeadingZeros((hash << (16 + p)) | (1L << (15 + p))) + 1;
        int w = off + idx / PER_WORD;
        int shift = (idx % PER_WORD) * BITS;
        long word = (long) st[w];
        if (rank > ((word >>> shift) & LANE)) {
            st[w] = (double) ((word & ~(LANE << shift)) | ((long) rank << shift));
        }
    }

    /** The estimate of one sketch: exact when sparse. */
    static double estimate(double[] st, int off, int words) {
        int k = sparseSize(st[off]);
        if (k >= 0) {
            return k;
        }
        long[] registers = new long[words];
        for (int w = 0; w < words; w++) {
            registers[w] = (long) st[off + w];
        }
        return estimate(registers);
    }

    /** The estimate of the union of the sketches at {@code offs}: exact when they are all sparse. */
    static double unionEstimate(double[] st, int[] offs, int count, int words) {
        int hashes = 0;
        boolean dense = false;
        for (int b = 0; b < count; b++) {
            int k = sparseSize(st[offs[b]]);
            if (k < 0) {
                dense = true;
            } else {
                hashes += k;
            }
        }
        if (!dense) {
            long[] all = new long[hashes];
            int n = 0;
            for (int b = 0; b < count; b++) {
                for (int i = 1, k = sparseSize(st[offs[b]]); i <= k; i++) {
                    all[n++] = (long) st[offs[b] + i];
                }
            }
            Arrays.sort(all);
            int distinct = 0;
            for (int i = 0; i < n; i++) {
                if (i == 0 || all[i] != all[i - 1]) {
                    distinct++;
                }
            }
            return distinct;
        }
        double[] merged = new double[words];
        int p = precision(words);
        for (int b = 0; b < count; b++) {
            int off = offs[b];
            int k = sparseSize(st[off]);
            if (k < 0) {
                for (int w = 0; w < words; w++) {
                    merged[w] = union((long) merged[w], (long) st[off + w]);
                }
            }
        }
        for (int b = 0; b < count; b++) {
            int off = offs[b];
            for (int i = 1, k = sparseSize(st[off]); i <= k; i++) {
                setRegister(merged, 0, p, (long) st[off + i]);
            }
        }
        long[] registers = new long[words];
        for (int w = 0; w < words; w++) {
            registers[w] = (long) merged[w];
        }
        return estimate(registers);
    }

    /** Lane-wise maximum of two packed words: the union of two dense sketches. */
    static long union(long a, long b) {
        long r = 0;
        for (int s = 0; s < PER_WORD * BITS; s += BITS) {
            r |= Math.max((a >>> s) & LANE, (b >>> s) & LANE) << s;
        }
        return r;
    }

    /** HyperLogLog estimate of packed registers, with the small-range (linear counting) correction. */
    private static double estimate(long[] words) {
        int m = words.length * PER_WORD;
        double inverse = 0;
        int zeros = 0;
        for (long word : words) {
            for (int s = 0; s < PER_WORD * BITS; s += BITS) {
                int r = (int) ((word >>> s) & LANE);
                inverse += Math.scalb(1.0, -r);
                if (r == 0) {
                    zeros++;
                }
            }
        }
        double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
        double e = alpha * m * m / inverse;
        if (e <= 2.5 * m && zeros > 0) {
            e = m * Math.log((double) m / zeros);
        }
        return e;
    }
}
