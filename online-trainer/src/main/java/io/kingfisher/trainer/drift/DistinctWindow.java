package io.kingfisher.trainer.drift;

import java.io.Serializable;
import java.util.HashMap;

/**
 * The keys of the last {@code size} rows of a stream, and how many distinct keys they hold: beside a {@link Psi}
 * window, how many entities its rows come from. Rows of one entity are not independent draws (a patient put on
 * oxygen stays on it), so a window of a few dozen entities swings with who they are, whatever its row count.
 * O(1) a row; serializable for checkpoints. Not thread-safe.
 */
public final class DistinctWindow implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] ring;
    private int head;
    private int rows;
    private final HashMap<Long, Integer> counts = new HashMap<>();

    /** @param size rows in the window, at least 1 */
    public DistinctWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
        this.ring = new long[size];
    }

    /** Adds a row's key, dropping the oldest row's once the window is full. */
    public void add(long key) {
        if (rows == ring.length) {
            long oldest = ring[head];
            counts.computeIfPresent(oldest, (k, n) -> n == 1 ? null : n - 1);
        } else {
            rows++;
        }
        ring[head] = key;
        head = (head + 1) % ring.length;
        counts.merge(key, 1, Integer::sum);
    }

    /** @return rows in the window */
    public int rows() {
        return rows;
    }

    /** @return distinct keys among them */
    public int distinct() {
        return counts.size();
    }
}
