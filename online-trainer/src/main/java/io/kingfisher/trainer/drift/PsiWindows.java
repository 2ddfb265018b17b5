package io.kingfisher.trainer.drift;

import io.kingfisher.trainer.GoldenSet;

import java.util.List;

/**
 * The online learner's rules for comparing recent feature rows with the golden set by {@link Psi}, in one place for
 * the learner and for replays of simulated streams (the drift benchmark):
 * <ul>
 *   <li>each column is compared with the golden rows the history had run long enough to warm it up, and only once
 *       the window's oldest row came the same warm-up into the live stream: a 7-day count is low in a stream's first
 *       week, on either side, and a window that grew to span enough entities may reach back that far;
 *   <li>the window is the shortest recent one of at least {@code minRows} rows whose rows come from at least
 *       {@code minEntities} entities, up to {@value #SPAN} times {@code minRows}: rows of one entity are not independent
 *       draws (a patient's heart rate stays with the patient), so a small population needs more rows than a large one
 *       to be a sample of it.
 * </ul>
 */
public final class PsiWindows {
    /** The window grows to at most this many times its least rows to span enough entities. */
    public static final int SPAN = 20;

    private PsiWindows() {
    }

    /**
     * @param golden  the reference rows, with their history ages when known
     * @param warmUp  per column, the stream time it takes to warm up (columns past the list's end need none)
     * @param minRows the window's least rows
     * @return a sliding PSI of up to {@value #SPAN} x {@code minRows} rows against the golden rows past each column's
     *     warm-up (all rows when the golden set has no ages)
     */
    public static Psi against(GoldenSet golden, List<Long> warmUp, int minRows) {
        long[] ages = golden.ages();
        Psi.ReferenceRows use = ages == null ? (row, column) -> true
                : (row, column) -> column >= warmUp.size() || ages[row] >= warmUp.get(column);
        return new Psi(golden.x(), use, Psi.DEFAULT_BINS, Psi.Window.SLIDING, Math.multiplyExact(SPAN, minRows),
                Psi.DEFAULT_EPSILON);
    }

    /**
     * @return whether {@code psi} follows these rules for windows of at least {@code minRows} rows (one restored from a
     *     checkpoint of an earlier release may have a fixed window, or a reference of every golden row)
     */
    public static boolean current(Psi psi, int minRows) {
        return psi.capacity() == (long) SPAN * minRows && psi.picksReferenceRows();
    }

    /**
     * Puts a row into the window, then drops its oldest rows while more than {@code minRows} remain and the rest still
     * come from at least {@code minEntities} entities.
     *
     * @param entity the row's entity key (rows that name none should each get a key of their own)
     * @param time   the row's event time
     */
    public static void observe(Psi psi, DistinctWindow entities, float[] row, long entity, long time, int minRows,
                               int minEntities) {
        psi.observe(row);
        entities.add(entity, time);
        while (psi.windowRows() > minRows && entities.canEvictOldestKeeping(minEntities)) {
            psi.evictOldest();
            entities.evictOldest();
        }
    }

    /** @return whether the window's rows come from enough entities to compare it (true for an empty or unkeyed one) */
    public static boolean spansEnough(DistinctWindow entities, int minEntities) {
        return entities == null || entities.rows() == 0 || entities.distinct() >= minEntities;
    }

    /**
     * @param warmUp      per column, the stream time it takes to warm up
     * @param entities    the window's entity ring (may be null)
     * @param streamStart the stream's first event time
     * @param streamEnd   its latest event time
     * @return the column with the largest PSI among those {@link #warmedUp} and compared, with its PSI; null if none
     */
    public static Psi.Shift largest(Psi psi, List<Long> warmUp, DistinctWindow entities, long streamStart, long streamEnd) {
        return psi.largestShift(column -> warmedUp(warmUp, column, entities, streamStart, streamEnd));
    }

    /**
     * @param warmUp      per column, the stream time it takes to warm up
     * @param column      a column
     * @param entities    the window's entity ring, which knows its oldest row's event time (may be null)
     * @param streamStart the stream's first event time
     * @param streamEnd   its latest event time, for an empty window
     * @return whether the window's oldest row (else the stream's latest) came the column's warm-up after the start
     */
    public static boolean warmedUp(List<Long> warmUp, int column, DistinctWindow entities, long streamStart, long streamEnd) {
        if (column >= warmUp.size()) {
            return true;
        }
        long at = entities != null && entities.rows() > 0 ? entities.oldestTime() : streamEnd;
        return at - streamStart >= warmUp.get(column);
    }
}
