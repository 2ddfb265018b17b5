package io.kingfisher.cli;

/** An open-addressing set of non-zero longs: 8 bytes an entry, for counting millions of event ids in a demo. */
final class LongHashSet {
    private long[] table = new long[1 << 16];
    private int size;

    /** Adds the value; false if it was there already. Zero is mapped to a fixed non-zero value. */
    boolean add(long v) {
        if (v == 0) {
            v = 0x9E3779B97F4A7C15L;
        }
        if (size * 2 >= table.length) {
            grow();
        }
        int mask = table.length - 1;
        int i = (int) (mix(v) & mask);
        while (table[i] != 0) {
            if (table[i] == v) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = v;
        size++;
        return true;
    }

    boolean contains(long v) {
        if (v == 0) {
            v = 0x9E3779B97F4A7C15L;
        }
        int mask = table.length - 1;
        int i = (int) (mix(v) & mask);
        while (table[i] != 0) {
            if (table[i] == v) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    int size() {
        return size;
    }

    /** Calls {@code f} for each value. */
    void forEach(java.util.function.LongConsumer f) {
        for (long v : table) {
            if (v != 0) {
                f.accept(v);
            }
        }
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (long v : old) {
            if (v != 0) {
                add(v);
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
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
}
