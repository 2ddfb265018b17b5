package io.kingfisher.trainer.drift;

import java.io.Serializable;
import java.util.HashMap;

/**
 * The keys (and event times) of the last {@code size} rows of a stream, and how many distinct keys they hold: beside
 * a {@link Psi} window, how many entities its rows come from, and how far back its oldest row goes. Rows of one
 * entity are not independent draws (a patient put on oxygen stays on it), so a window of a few dozen entities swings
 * with who they are, whatever its row count. O(1) a row; serializable for checkpoints. Not thread-safe.
 */
public final class DistinctWindow implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The window's keys, a ring that starts small and doubles as the window fills, up to {@link #size()} rows. */
    private long[] ring;
    /** The rows' event times, beside {@link #ring}. */
    private long[] times;
    /** The most rows. */
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
        this.times = new long[ring.length];
    }

    /** Adds a row's key and event time, dropping the oldest row once the window is full. */
    public void add(long key, long time) {
        if (rows == ring.length && rows < size()) {
            int grown = (int) Math.min(size(), 2L * rows);
            ring = oldestFirst(ring, grown);
            times = oldestFirst(times, grown);
            head = rows;
        }
        if (rows == ring.length) {
            long oldest = ring[head]; // the oldest row: a full ring's head
            counts.computeIfPresent(oldest, (k, n) -> n == 1 ? null : n - 1);
        } else {
            rows++;
        }
        ring[head] = key;
        times[head] = time;
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

    /** A full ring's rows, oldest first (a full ring's head is its oldest row), in a longer array. */
    private long[] oldestFirst(long[] full, int length) {
        long[] out = new long[length];
        System.arraycopy(full, head, out, 0, rows - head);
        System.arraycopy(full, 0, out, rows - head, head);
        return out;
    }

    /** @return the event time of the oldest row; {@link Long#MIN_VALUE} when empty */
    public long oldestTime() {
        return rows == 0 ? Long.MIN_VALUE : times[oldestIndex()];
    }

    private int oldestIndex() {
        int i = head - rows;
        return i < 0 ? i + ring.length : i;
    }

    /** @return the most rows the window holds */
    public int size() {
        return size;
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
