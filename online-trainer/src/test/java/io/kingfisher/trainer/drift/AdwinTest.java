package io.kingfisher.trainer.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdwinTest {

    @Test
    void meanAndVarianceStayExactThroughBucketMerges() {
        Adwin a = Adwin.withDefaults();
        SplittableRandom r = new SplittableRandom(12L);
        int n = 1_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            double x = r.nextDouble() < 0.3 ? 1 : 0;
            sum += x;
            sumSq += x * x;
            assertFalse(a.update(x), "false alarm at " + i);
        }
        double mean = sum / n;
        assertEquals(n, a.width());
        assertEquals(mean, a.mean(), 1e-12);
        assertEquals(sumSq / n - mean * mean, a.variance(), 1e-9);
    }

    @Test
    void handCase() {
        Adwin a = new Adwin(0.002, 2);
        for (double x : new double[] {0, 1, 0, 1, 0, 1, 0, 1}) {
            a.update(x);
        }
        assertEquals(8, a.width());
        assertEquals(0.5, a.mean(), 0.0);
        assertEquals(0.25, a.variance(), 1e-15);
        assertEquals(Double.NaN, new Adwin(0.1, 2).mean());
    }

    @Test
    void quietOnAStableStream() {
        Adwin a = Adwin.withDefaults();
        SplittableRandom r = new SplittableRandom(99L);
        for (int i = 0; i < 50_000; i++) {
            a.update(r.nextDouble() < 0.3 ? 1 : 0);
        }
        assertEquals(0, a.detections());
        assertEquals(50_000, a.width());
        assertEquals(0.3, a.mean(), 0.01);
    }

    @Test
    void detectsAnIncreaseAndForgetsTheOldLevel() {
        Adwin a = Adwin.withDefaults();
        SplittableRandom r = new SplittableRandom(5L);
        for (int i = 0; i < 3_000; i++) {
            a.update(r.nextDouble() < 0.2 ? 1 : 0);
        }
        int delay = -1;
        for (int i = 0; i < 3_000; i++) {
            if (a.update(r.nextDouble() < 0.6 ? 1 : 0) && delay < 0) {
                delay = i + 1;
            }
        }
        assertTrue(delay > 0 && delay < 300, "detected after " + delay);
        assertTrue(a.lastChangeWasIncrease());
        assertTrue(a.width() < 3_500, "old level dropped: width " + a.width());
        assertEquals(0.6, a.mean(), 0.04);
    }

    @Test
    void detectsADecreaseToo() {
        Adwin a = Adwin.withDefaults();
        SplittableRandom r = new SplittableRandom(6L);
        for (int i = 0; i < 3_000; i++) {
            a.update(r.nextDouble() < 0.6 ? 1 : 0);
        }
        boolean detected = false;
        for (int i = 0; i < 1_000; i++) {
            detected |= a.update(r.nextDouble() < 0.2 ? 1 : 0);
        }
        assertTrue(detected);
        assertFalse(a.lastChangeWasIncrease());
    }

    @Test
    void serializationKeepsTheWindow() throws Exception {
        Adwin a = Adwin.withDefaults();
        SplittableRandom r = new SplittableRandom(7L);
        for (int i = 0; i < 777; i++) {
            a.update(r.nextDouble());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(a);
        }
        Adwin copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Adwin) in.readObject();
        }
        for (int i = 0; i < 500; i++) {
            double x = i % 3 == 0 ? 1 : 0.9;
            assertEquals(a.update(x), copy.update(x));
        }
        assertEquals(a.width(), copy.width());
        assertEquals(a.mean(), copy.mean(), 0.0);
        assertEquals(a.detections(), copy.detections());
        assertTrue(a.detections() > 0, "the shift from 0.5 to ~0.93 is seen");
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adwin(0, 5)).getMessage()
                .contains("delta"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adwin(0.1, 1)).getMessage()
                .contains("maxBuckets"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Adwin.withDefaults().update(Double.NaN))
                .getMessage().contains("x"));
    }
}
