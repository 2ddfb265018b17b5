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

    /** The window's keys, a ring that starts small and doubles as the window fills, up to {@link #size()} rows. */
    private long[] ring;
    /** The most rows; 0 in a window checkpointed before its ring could grow, whose ring is its size. */
    private final int size;
    private int head;
    private int rows;
    private final HashMap<Long, Integer> counts = new HashMap<>();

    /** @param size rows in the window, at least 1 */
    public DistinctWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
        this.size = size;
        this.ring = new long[Math.min(size, Psi.FIRST_RING_ROWS)];
    }

    /** Adds a row's key, dropping the oldest row's once the window is full. */
    public void add(long key) {
        if (rows == ring.length && rows < size()) {
            long[] grown = new long[(int) Math.min(size(), 2L * rows)];
            System.arraycopy(ring, head, grown, 0, rows - head); // oldest first: a full ring's head is its oldest row
            System.arraycopy(ring, 0, grown, rows - head, head);
            ring = grown;
            head = rows;
        }
        if (rows == ring.length) {
            long oldest = ring[head]; // the oldest row: a full ring's head
            counts.computeIfPresent(oldest, (k, n) -> n == 1 ? null : n - 1);
        } else {
            rows++;
        }
        ring[head] = key;
        head = (head + 1) % ring.length;
        counts.merge(key, 1, Integer::sum);
    }

    /**
     * Whether dropping the oldest row would leave at least {@code entities} distinct keys: true while there are more
     * than that, or while the oldest row's key has a later row in the window.
     */
    public boolean canEvictOldestKeeping(int entities) {
        if (rows == 0) {
            return false;
        }
        return counts.size() > entities || counts.get(ring[oldestIndex()]) > 1;
    }

    /** Drops the oldest row, so that a caller can keep a window shorter than its size. */
    public void evictOldest() {
        if (rows == 0) {
            throw new IllegalStateException("the window is empty");
        }
        long oldest = ring[oldestIndex()];
        counts.computeIfPresent(oldest, (k, n) -> n == 1 ? null : n - 1);
        rows--;
    }

    private int oldestIndex() {
        int i = head - rows;
        return i < 0 ? i + ring.length : i;
    }

    /** @return the most rows the window holds */
    public int size() {
        return size == 0 ? ring.length : size;
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
