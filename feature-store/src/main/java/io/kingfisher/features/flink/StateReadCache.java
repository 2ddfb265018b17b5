package io.kingfisher.features.flink;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently used entities' stored feature states, kept on the heap beside keyed state so that an entity seen
 * again is not read back from RocksDB: plain Java, no Flink in it; {@link EntityFeatureFunction} decides when an
 * entry may be used.
 *
 * <p>It is a read cache only. Every write still goes to keyed state at once, so a checkpoint, a restore and a rescale
 * see exactly what they saw without it, and a new instance simply starts empty. What it holds is its own copy of
 * the state last written for the key ({@link #put}); the owner must not change an array {@link #get} returns, and
 * works on a copy. Least recently used entries are evicted beyond {@code capacity}; a capacity of 0 turns the cache off. Not
 * thread-safe: one per subtask.
 */
final class StateReadCache {
    private final int capacity;
    private final Map<String, double[]> entries;
    private long hits;
    private long misses;

    /** @throws IllegalArgumentException if {@code capacity} is negative */
    StateReadCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("the state cache's capacity must be 0 (off) or more, was " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
                return size() > StateReadCache.this.capacity;
            }
        };
    }

    /** @return the state last written for {@code key}, or null when it is not held (counted as a miss) */
    double[] get(String key) {
        if (capacity == 0) {
            return null;
        }
        double[] s = entries.get(key);
        if (s == null) {
            misses++;
        } else {
            hits++;
        }
        return s;
    }

    /**
     * Holds what was just written for {@code key}, evicting the least recently used beyond capacity. The cache keeps
     * its own copy, and an entity held already has its copy overwritten in place rather than replaced: the entries
     * live long and sit in the old generation, and each one pointing at a new array would be a reference from the
     * old generation into the young one, which every young collection scans (about a quarter of each young pause at
     * 25,000 fraud events/s, G1's "Scan Heap Roots"). The caller may keep using {@code state}.
     */
    void put(String key, double[] state) {
        if (capacity == 0) {
            return;
        }
        double[] held = entries.get(key);
        if (held != null && held.length == state.length) {
            System.arraycopy(state, 0, held, 0, state.length);
        } else {
            entries.put(key, state.clone());
        }
    }

    /** Drops {@code key}: its keyed state was cleared. */
    void forget(String key) {
        entries.remove(key);
    }

    int size() {
        return entries.size();
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }
}
