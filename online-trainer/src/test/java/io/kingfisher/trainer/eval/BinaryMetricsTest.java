package io.kingfisher.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void aucOfHandComputedCases() {
        assertEquals(1.0, BinaryMetrics.auc(new double[] {0.1, 0.2, 0.8, 0.9}, new float[] {0, 0, 1, 1}), 0.0);
        assertEquals(0.0, BinaryMetrics.auc(new double[] {0.9, 0.8, 0.2, 0.1}, new float[] {0, 0, 1, 1}), 0.0);
        // Pairs (pos, neg): (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win, (0.8, 0.4) win -> 3/4.
        assertEquals(0.75, BinaryMetrics.auc(new double[] {0.1, 0.4, 0.35, 0.8}, new float[] {0, 0, 1, 1}), 1e-12);
    }

    @Test
    void aucCountsTiesAsHalf() {
        // pos {0.5, 0.9}, neg {0.5, 0.2}: tie 0.5 + wins 1 + 1 + 1 = 3.5 of 4 pairs.
        assertEquals(0.875, BinaryMetrics.auc(new double[] {0.5, 0.5, 0.2, 0.9}, new float[] {1, 0, 0, 1}), 1e-12);
        assertEquals(0.5, BinaryMetrics.auc(new double[] {0.3, 0.3, 0.3, 0.3, 0.3}, new float[] {1, 0, 0, 1, 0}), 0.0);
        // pos {1, 1}, neg {1, 0, 0}: each positive ties one negative and beats two -> (2.5 + 2.5) / 6.
        assertEquals(5.0 / 6.0, BinaryMetrics.auc(new double[] {1, 1, 1, 0, 0}, new float[] {1, 1, 0, 0, 0}), 1e-12);
        assertEquals(0.75, BinaryMetrics.auc(new double[] {-0.0, 0.0, 1}, new float[] {1, 0, 1}), 1e-12, "-0.0 == 0.0");
    }

    @Test
    void aucEqualsTheBruteForcePairCountWithManyTies() {
        SplittableRandom r = new SplittableRandom(11L);
        int n = 2_000;
        double[] s = new double[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < 0.2 ? 1f : 0f;
            s[i] = Math.round((r.nextGaussian() + y[i]) * 4) / 4.0; // few distinct values
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] == 1f && y[j] == 0f) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / pairs, BinaryMetrics.auc(s, y), 1e-12);
    }

    @Test
    void aucIsUndefinedWithoutBothClasses() {
        assertTrue(Double.isNaN(BinaryMetrics.auc(new double[] {0.1, 0.2}, new float[] {0, 0})));
        assertTrue(Double.isNaN(BinaryMetrics.auc(new double[] {0.1}, new float[] {1})));
        assertTrue(Double.isNaN(BinaryMetrics.auc(new double[0], new float[0])));
    }

    @Test
    void logLossAndBrier() {
        double[] p = {0.9, 0.2};
        float[] y = {1, 0};
        assertEquals(-(Math.log(0.9) + Math.log(0.8)) / 2, BinaryMetrics.logLoss(p, y), 1e-12);
        assertEquals((0.01 + 0.04) / 2, BinaryMetrics.brier(p, y), 1e-12);
        assertEquals(-Math.log(BinaryMetrics.LOG_LOSS_EPS), BinaryMetrics.logLoss(new double[] {0.0}, new float[] {1}), 1e-9,
                "a confident miss is clipped, not infinite");
        assertEquals(0.0, BinaryMetrics.brier(new double[] {1, 0}, new float[] {1, 0}), 0.0);
        assertTrue(Double.isNaN(BinaryMetrics.logLoss(new double[0], new float[0])));
    }

    @Test
    void rejectsBadInput() {
        assertEquals("labels[1] must be 0 or 1, was 0.5", assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.auc(new double[] {0.1, 0.2}, new float[] {0, 0.5f})).getMessage());
        assertEquals("scores[0] must be a number, was NaN", assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.auc(new double[] {Double.NaN}, new float[] {0})).getMessage());
        assertEquals("scores[0] must be in [0, 1], was 1.5", assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.logLoss(new double[] {1.5}, new float[] {0})).getMessage());
        assertThrows(IllegalArgumentException.class, () -> BinaryMetrics.brier(new double[2], new float[3]));
    }
}
