package io.kingfisher.cli;

import java.util.Arrays;

/**
 * The event ids a demo sent, or saw scored, as 64-bit hashes appended in arrival order: one sequential write per id
 * while the run goes, one sort when it ends ({@link #reconcile}). A hash set did the bookkeeping as the ids came,
 * with a random memory access per id and a rehash of millions of entries as it grew: a third of the demo's consumer
 * thread at full speed, on the cores the pipeline runs on. 8 bytes an id.
 */
final class IdLog {
    private long[] ids = new long[1 << 16];
    private int size;

    /** Appends an id's hash ({@link #hash}). */
    void add(long id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    /** @return ids appended, repeats included */
    int size() {
        return size;
    }

    private long[] sorted() {
        long[] a = Arrays.copyOf(ids, size);
        Arrays.sort(a);
        return a;
    }

    /**
     * How the scores account for the sent events.
     *
     * @param missing    sent ids never scored
     * @param duplicates scores of an id already scored
     * @param unexpected scored ids that were never sent
     */
    record Reconciled(long missing, long duplicates, long unexpected) {
    }

    /** Compares the ids sent with the ids scored (each counted once per distinct id, repeats of a score aside). */
    static Reconciled reconcile(IdLog sent, IdLog scored) {
        long[] p = sent.sorted();
        long[] s = scored.sorted();
        long missing = 0;
        long duplicates = 0;
        long unexpected = 0;
        int i = 0;
        int j = 0;
        while (i < p.length || j < s.length) {
            if (j < s.length && j > 0 && s[j] == s[j - 1]) {
                duplicates++;
                j++;
            } else if (i < p.length && i > 0 && p[i] == p[i - 1]) {
                i++; // an id sent twice counts once
            } else if (j == s.length || (i < p.length && p[i] < s[j])) {
                missing++;
                i++;
            } else if (i == p.length || s[j] < p[i]) {
                unexpected++;
                j++;
            } else {
                i++;
                j++;
            }
        }
        return new Reconciled(missing, duplicates, unexpected);
    }

    /** A 64-bit hash of an id (FNV-1a then mixed); collisions are negligible at demo sizes. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
