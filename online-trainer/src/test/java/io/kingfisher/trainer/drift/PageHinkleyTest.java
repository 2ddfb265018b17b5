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

class PageHinkleyTest {

    @Test
    void statisticFollowsTheHandComputation() {
        PageHinkley ph = new PageHinkley(0, 1, 1, 1);
        assertFalse(ph.update(0)); // mean 0, m 0
        assertFalse(ph.update(0));
        assertEquals(0, ph.statistic(), 0.0);
        assertFalse(ph.update(1)); // mean 1/3, m = 2/3
        assertEquals(2.0 / 3, ph.statistic(), 1e-12);
        assertEquals(1.0 / 3, ph.mean(), 1e-12);
        assertTrue(ph.update(1)); // mean 1/2, m = 2/3 + 1/2 = 7/6 > 1
        assertEquals(0, ph.statistic(), 0.0, "reset after the detection");
        assertEquals(0, ph.count());
        assertEquals(1, ph.detections());
    }

    @Test
    void deltaToleratesSmallDeviations() {
        // delta 0.1: m = -0.1, -0.2 (the minimum), 0.3667, 0.7667, 1.0667 -> PH 0.567, 0.967, 1.267,
        // where one value of 1 after two of 0 is 1 - 1/3 - 0.1 above the running mean.
        PageHinkley ph = new PageHinkley(0.1, 1, 1, 1);
        assertFalse(ph.update(0));
        assertFalse(ph.update(0));
        assertFalse(ph.update(1));
        assertEquals((-0.2 + 2.0 / 3 - 0.1) - (-0.2), ph.statistic(), 1e-12);
        assertFalse(ph.update(1));
        assertEquals(0.7667 + 0.2, ph.statistic(), 1e-4);
        assertTrue(ph.update(1));
    }

    @Test
    void minInstancesHoldsBackAnEarlyDetection() {
        PageHinkley ph = new PageHinkley(0, 1, 5, 1);
        assertFalse(ph.update(0));
        assertFalse(ph.update(0));
        assertFalse(ph.update(1));
        assertFalse(ph.update(1), "PH 7/6 > 1 but only 4 values");
        assertEquals(7.0 / 6, ph.statistic(), 1e-12);
        assertTrue(ph.update(1)); // mean 3/5, m = 7/6 + 2/5
    }

    @Test
    void forgettingShrinksTheCumulativeDeviation() {
        PageHinkley ph = new PageHinkley(0, 1, 1, 0.5);
        ph.update(0);
        ph.update(0);
        ph.update(1); // m = 0.5 * 0 + 2/3
        assertFalse(ph.update(1)); // m = 0.5 * 2/3 + 1/2 = 5/6, below lambda (7/6 without forgetting)
        assertEquals(5.0 / 6, ph.statistic(), 1e-12);
    }

    @Test
    void aDecreaseIsNotAnAlarm() {
        PageHinkley ph = new PageHinkley(0.001, 1, 1, 1);
        for (int i = 0; i < 1000; i++) {
            assertFalse(ph.update(i < 500 ? 1.0 : 0.1));
        }
        assertEquals(0, ph.detections());
    }

    @Test
    void quietOnAStableLogLossStreamAndQuickWhenItRises() {
        // A model predicting 0.1 for everything: calibrated while the positive rate is 0.1, then the
        // rate moves to 0.3 and the mean log loss rises from 0.325 to 0.765 nats (sigma^2 ~ 0.44).
        SplittableRandom r = new SplittableRandom(17L);
        double lossPositive = -Math.log(0.1);
        double lossNegative = -Math.log(0.9);
        // lambda = 100 >= 0.44 * 20 / (2 * 0.05): stationary tail around exp(-23).
        PageHinkley ph = new PageHinkley(0.05, 100, 30, 1);
        int stable = 100_000;
        for (int i = 0; i < stable; i++) {
            assertFalse(ph.update(r.nextDouble() < 0.1 ? lossPositive : lossNegative), "false alarm at " + i);
        }
        int delay = -1;
        for (int i = 0; i < 5_000 && delay < 0; i++) {
            if (ph.update(r.nextDouble() < 0.3 ? lossPositive : lossNegative)) {
                delay = i + 1;
            }
        }
        // Expected about lambda / (0.44 - 0.05) ~ 260 values.
        assertTrue(delay > 100 && delay < 1_000, "detected after " + delay);
        assertEquals(1, ph.detections());
    }

    @Test
    void serializationKeepsTheState() throws Exception {
        PageHinkley ph = new PageHinkley(0, 1, 1, 1);
        ph.update(0);
        ph.update(0);
        ph.update(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ph);
        }
        PageHinkley copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (PageHinkley) in.readObject();
        }
        assertEquals(ph.statistic(), copy.statistic(), 0.0);
        assertTrue(copy.update(1));
    }

    @Test
    void rejectsBadParametersNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PageHinkley(-1, 1, 1, 1)).getMessage()
                .contains("delta"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PageHinkley(0, 0, 1, 1)).getMessage()
                .contains("lambda"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PageHinkley(0, 1, 0, 1)).getMessage()
                .contains("minInstances"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PageHinkley(0, 1, 1, 0)).getMessage()
                .contains("alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PageHinkley(0, 1, 1, 1.5)).getMessage()
                .contains("alpha"));
        PageHinkley ph = new PageHinkley(0, 1, 1, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ph.update(Double.NaN)).getMessage()
                .contains("x"));
    }
}
