package io.kingfisher.trainer.drift;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DistinctWindowTest {

    @Test
    void countsTheDistinctKeysOfTheLastRows() {
        DistinctWindow w = new DistinctWindow(4);
        assertEquals(0, w.distinct());
        for (long k : new long[] {1, 1, 2, 3}) {
            w.add(k);
        }
        assertEquals(4, w.rows());
        assertEquals(3, w.distinct());
        w.add(3); // drops the first 1: rows 1, 2, 3, 3
        assertEquals(3, w.distinct());
        w.add(3); // drops the second 1: rows 2, 3, 3, 3
        assertEquals(2, w.distinct());
        w.add(4);
        w.add(4);
        w.add(4); // rows 3, 4, 4, 4
        assertEquals(2, w.distinct());
        assertEquals(4, w.rows());
        assertThrows(IllegalArgumentException.class, () -> new DistinctWindow(0));
    }
}
