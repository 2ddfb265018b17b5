package io.kingfisher.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrequentialWindowTest {

    /** Capacity 3 after (0.9,1) (0.2,0) (0.6,1) (0.7,0): the first one is evicted. */
    private static PrequentialWindow handCase() {
        PrequentialWindow w = new PrequentialWindow(3);
        w.add(0.9, 1);
        w.add(0.2, 0);
        w.add(0.6, 1);
        w.add(0.7, 0);
        return w;
    }

    @Test
    void windowMetricsMatchHandComputation() {
        PrequentialWindow w = handCase();
        assertEquals(3, w.size());
        assertEquals(1, w.positives());
        assertEquals(2, w.negatives());
        // pos {0.6}, neg {0.2, 0.7}: beats 0.2, loses to 0.7.
        assertEquals(0.5, w.auc(), 0.0);
        assertEquals(-(Math.log(0.8) + Math.log(0.6) + Math.log(0.3)) / 3, w.logLoss(), 1e-12);
        assertEquals((0.04 + 0.16 + 0.49) / 3, w.brier(), 1e-12);
        // Predicted positive at 0.5: 0.6 (pos) and 0.7 (neg).
        assertEquals(0.5, w.precision(0.5), 0.0);
        assertEquals(1.0, w.recall(0.5), 0.0);
        assertEquals(0.0, w.recall(0.65), 0.0);
        assertEquals(Double.NaN, w.precision(0.75));
        // Bins 2, 6 and 7, one example each: |0.2 - 0| + |0.6 - 1| + |0.7 - 0| over 3.
        assertEquals(1.3 / 3, w.expectedCalibrationError(), 1e-12);
        assertEquals(0.5, w.meanScore(), 1e-12);
        assertEquals(1.0 / 3, w.positiveRate(), 1e-12);
        // Cumulative totals still include the evicted (0.9, 1).
        assertEquals(4, w.cumulativeCount());
        assertEquals(2, w.cumulativePositives());
        assertEquals(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.6) + Math.log(0.3)) / 4, w.cumulativeLogLoss(),
                1e-12);
        assertEquals((0.01 + 0.04 + 0.16 + 0.49) / 4, w.cumulativeBrier(), 1e-12);
    }

    @Test
    void metricsMapHasStablePrefixedKeys() {
        Map<String, Double> m = handCase().metrics("champion.");
        assertEquals(List.of("champion.auc", "champion.logloss", "champion.brier", "champion.precision",
                "champion.recall", "champion.ece", "champion.mean_score", "champion.positive_rate", "champion.n",
                "champion.positives", "champion.cumulative_logloss", "champion.cumulative_brier",
                "champion.cumulative_n"), List.copyOf(m.keySet()));
        assertEquals(0.5, m.get("champion.auc"), 0.0);
        assertEquals(3.0, m.get("champion.n"), 0.0);
        assertEquals(4.0, m.get("champion.cumulative_n"), 0.0);
        assertEquals(0.5, m.get("champion.precision"), 0.0);
        assertTrue(new PrequentialWindow(5).metrics(null).containsKey("auc"));
    }

    @Test
    void undefinedMetricsAreNaN() {
        PrequentialWindow w = new PrequentialWindow(10);
        assertEquals(Double.NaN, w.auc());
        assertEquals(Double.NaN, w.logLoss());
        assertEquals(Double.NaN, w.brier());
        assertEquals(Double.NaN, w.expectedCalibrationError());
        assertEquals(Double.NaN, w.cumulativeLogLoss());
        w.add(0.3, 0);
        w.add(0.6, 0);
        assertEquals(Double.NaN, w.auc(), "no positives");
        assertEquals(Double.NaN, w.recall(0.5), "no positives");
        assertEquals(0.0, w.precision(0.5), 0.0);
        assertEquals(Double.NaN, w.metrics("").get("auc"));
    }

    @Test
    void logLossIsClippedAtOneInTenMillion() {
        PrequentialWindow w = new PrequentialWindow(4);
        w.add(0.0, 1);
        assertEquals(-Math.log(1e-7), w.logLoss(), 1e-9);
        w.add(1.0, 1);
        assertEquals(-(Math.log(1e-7) + Math.log1p(-1e-7)) / 2, w.logLoss(), 1e-9);
    }

    @Test
    void agreesWithBinaryMetricsOnTheLastWExamplesAfterManyWraps() {
        SplittableRandom r = new SplittableRandom(5L);
        int capacity = 997;
        PrequentialWindow w = new PrequentialWindow(capacity);
        int total = 25_003; // wraps many times and re-sums exactly along the way
        double[] s = new double[total];
        float[] y = new float[total];
        double cumulative = 0;
        for (int i = 0; i < total; i++) {
            y[i] = r.nextDouble() < 0.3 ? 1f : 0f;
            // Rounded scores so there are ties.
            s[i] = Math.round(100 / (1 + Math.exp(-(r.nextGaussian() + 1.5 * y[i] - 1)))) / 100.0;
            w.add(s[i], y[i]);
            cumulative += BinaryMetrics.logLoss(s[i], y[i] == 1f, PrequentialWindow.LOG_LOSS_EPS);
        }
        double[] lastS = java.util.Arrays.copyOfRange(s, total - capacity, total);
        float[] lastY = java.util.Arrays.copyOfRange(y, total - capacity, total);
        double[] clipped = new double[capacity];
        for (int i = 0; i < capacity; i++) {
            clipped[i] = Math.min(Math.max(lastS[i], 1e-7), 1 - 1e-7); // the window's log-loss clipping
        }
        assertEquals(BinaryMetrics.auc(lastS, lastY), w.auc(), 1e-12);
        assertEquals(BinaryMetrics.logLoss(clipped, lastY), w.logLoss(), 1e-9);
        assertEquals(BinaryMetrics.brier(lastS, lastY), w.brier(), 1e-9);
        assertEquals(BinaryMetrics.positives(lastY), w.positives());
        assertEquals(cumulative / total, w.cumulativeLogLoss(), 1e-9);
        assertEquals(total, w.cumulativeCount());
    }

    @Test
    void perfectlyCalibratedScoresHaveSmallEce() {
        SplittableRandom r = new SplittableRandom(9L);
        PrequentialWindow calibrated = new PrequentialWindow(50_000);
        PrequentialWindow overconfident = new PrequentialWindow(50_000);
        for (int i = 0; i < 50_000; i++) {
            double p = r.nextDouble();
            double y = r.nextDouble() < p ? 1 : 0;
            calibrated.add(p, y);
            overconfident.add(p < 0.5 ? p / 2 : 0.5 + p / 2, y);
        }
        assertTrue(calibrated.expectedCalibrationError() < 0.02, "ece " + calibrated.expectedCalibrationError());
        // Overconfident: each score is off by |p - 0.5| / 2 on average 0.125.
        assertEquals(0.125, overconfident.expectedCalibrationError(), 0.02);
        assertEquals(0.5, calibrated.meanScore(), 0.01);
        assertEquals(0.5, calibrated.positiveRate(), 0.01);
    }

    @Test
    void sameLabelsAsComparesTheLabelSequenceAcrossDifferentRingOffsets() {
        PrequentialWindow a = new PrequentialWindow(3);
        PrequentialWindow b = new PrequentialWindow(5);
        double[] labels = {1, 0, 0, 1, 0};
        for (double y : labels) {
            a.add(0.5, y);
        }
        for (int i = 2; i < labels.length; i++) {
            b.add(0.1, labels[i]);
        }
        assertTrue(a.sameLabelsAs(b)); // both hold 0, 1, 0
        b.add(0.1, 1);
        assertFalse(a.sameLabelsAs(b));
        PrequentialWindow c = new PrequentialWindow(3);
        c.add(0.2, 1);
        c.add(0.2, 0);
        c.add(0.2, 0);
        assertFalse(a.sameLabelsAs(c), "same counts, different order");
    }

    @Test
    void serializationKeepsTheWindowAndTotals() throws Exception {
        PrequentialWindow w = handCase();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(w);
        }
        PrequentialWindow copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (PrequentialWindow) in.readObject();
        }
        assertEquals(w.metrics("x."), copy.metrics("x."));
        w.add(0.1, 1);
        copy.add(0.1, 1);
        assertEquals(w.metrics(""), copy.metrics(""));
    }

    @Test
    void clearForgetsEverything() {
        PrequentialWindow w = handCase();
        w.clear();
        assertEquals(0, w.size());
        assertEquals(0, w.cumulativeCount());
        w.add(0.25, 0);
        assertEquals(0.0625, w.brier(), 1e-12);
        assertEquals(1, w.size());
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PrequentialWindow(0)).getMessage()
                .contains("capacity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PrequentialWindow(5, 1.5)).getMessage()
                .contains("threshold"));
        PrequentialWindow w = new PrequentialWindow(5);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> w.add(Double.NaN, 1)).getMessage()
                .contains("score"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> w.add(1.2, 1)).getMessage().contains("score"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> w.add(0.5, 0.5)).getMessage()
                .contains("label"));
        assertEquals(0, w.size(), "rejected examples leave no trace");
    }

    @Test
    void aucOverTenThousandIsCheapEnoughForOncePerSecond() {
        SplittableRandom r = new SplittableRandom(3L);
        PrequentialWindow w = new PrequentialWindow(10_000);
        for (int i = 0; i < 20_000; i++) {
            double y = r.nextDouble() < 0.1 ? 1 : 0;
            w.add(1 / (1 + Math.exp(-(r.nextGaussian() + 2 * y - 2))), y);
        }
        double sink = 0;
        for (int i = 0; i < 50; i++) {
            sink += w.auc(); // warm up
        }
        int calls = 100;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sink += w.auc();
        }
        double msPerCall = (System.nanoTime() - start) / 1e6 / calls;
        System.out.printf("PrequentialWindow.auc over 10k: %.3f ms per call%n", msPerCall);
        assertTrue(sink > 0);
        // Typically ~0.5 ms; the bound is loose because the build machine is shared.
        assertTrue(msPerCall < 25, "auc took " + msPerCall + " ms");
    }
}
