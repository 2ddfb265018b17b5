package io.kingfisher.features.flink;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently used entities' stored feature states, kept on the heap beside keyed state so that an entity seen
 * again is not read back from RocksDB: plain Java, no Flink in it; {@link EntityFeatureFunction} decides when an
 * entry may be used.
 *
 * <p>It is a read cache only. Every write still goes to keyed state at once, so a checkpoint, a restore and a rescale
 * see exactly what they saw without it, and a new instance simply starts empty. What it holds is the array that was
 * last written for the key; the owner must not change it (a heap state backend holds the same array), and works on a
 * copy. Least recently used entries are evicted beyond {@code capacity}; a capacity of 0 turns the cache off. Not
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

    /** Holds {@code state} as what was just written for {@code key}, evicting the least recently used beyond capacity. */
    void put(String key, double[] state) {
        if (capacity > 0) {
            entries.put(key, state);
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
