package io.kingfisher.trainer.drift;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistinctWindowTest {

    @Test
    void countsTheDistinctKeysOfTheLastRows() {
        DistinctWindow w = new DistinctWindow(4);
        assertEquals(0, w.distinct());
        for (long k : new long[] {1, 1, 2, 3}) {
            w.add(k, 0L);
        }
        assertEquals(4, w.rows());
        assertEquals(3, w.distinct());
        w.add(3, 0L); // drops the first 1: rows 1, 2, 3, 3
        assertEquals(3, w.distinct());
        w.add(3, 0L); // drops the second 1: rows 2, 3, 3, 3
        assertEquals(2, w.distinct());
        w.add(4, 0L);
        w.add(4, 0L);
        w.add(4, 0L); // rows 3, 4, 4, 4
        assertEquals(2, w.distinct());
        assertEquals(4, w.rows());
        assertThrows(IllegalArgumentException.class, () -> new DistinctWindow(0));
    }

    @Test
    void aLargeWindowGrowsItsRingAndStillHoldsTheLastRows() {
        DistinctWindow w = new DistinctWindow(3_000);
        for (int i = 0; i < 5_000; i++) { // the ring doubles past 1,024 rows to 3,000, then wraps
            w.add(i / 10, 1_000L * i);
        }
        assertEquals(3_000, w.size());
        assertEquals(3_000, w.rows());
        assertEquals(300, w.distinct(), "keys 200 to 499");
        assertEquals(2_000_000L, w.oldestTime(), "row 2,000's");
        for (int i = 0; i < 2_995; i++) {
            w.evictOldest();
        }
        assertEquals(1, w.distinct(), "the last five rows, all of key 499");
        assertEquals(4_995_000L, w.oldestTime());
    }

    @Test
    void evictingTheOldestKeepsAShorterWindow() {
        DistinctWindow w = new DistinctWindow(5);
        for (long k : new long[] {7, 1, 1, 2, 3, 3}) { // the 7 falls out: rows 1, 1, 2, 3, 3
            w.add(k, 0L);
        }
        assertEquals(3, w.distinct());
        assertTrue(w.canEvictOldestKeeping(3), "the oldest 1 has a later row");
        w.evictOldest(); // rows 1, 2, 3, 3
        assertEquals(4, w.rows());
        assertFalse(w.canEvictOldestKeeping(3), "the last 1 would go");
        assertTrue(w.canEvictOldestKeeping(2));
        w.evictOldest(); // rows 2, 3, 3
        assertEquals(2, w.distinct());
        w.add(4, 0L);
        w.add(5, 0L);
        w.add(6, 0L); // rows 3, 3, 4, 5, 6: full again, and the oldest rows leave as before
        assertEquals(5, w.rows());
        assertEquals(4, w.distinct());
        w.add(6, 0L); // drops a 3
        assertEquals(4, w.distinct());
        w.add(6, 0L); // drops the last 3
        assertEquals(3, w.distinct());
        while (w.rows() > 0) {
            w.evictOldest();
        }
        assertEquals(0, w.distinct());
        assertFalse(w.canEvictOldestKeeping(0));
        assertThrows(IllegalStateException.class, w::evictOldest);
    }
}
