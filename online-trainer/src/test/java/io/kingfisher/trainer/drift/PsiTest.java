package io.kingfisher.trainer.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class PsiTest {

    /** One feature with the values 1..100. */
    private static float[][] oneToHundred() {
        float[][] ref = new float[100][1];
        for (int i = 0; i < 100; i++) {
            ref[i][0] = i + 1;
        }
        return ref;
    }

    private static float[][] gaussian(SplittableRandom r, int rows, double... shifts) {
        float[][] out = new float[rows][shifts.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < shifts.length; j++) {
                out[i][j] = (float) (r.nextGaussian() + shifts[j]);
            }
        }
        return out;
    }

    @Test
    void decileEdgesAndReferenceProportions() {
        Psi psi = new Psi(oneToHundred(), 10);
        assertArrayEquals(new float[] {10, 20, 30, 40, 50, 60, 70, 80, 90}, psi.edges(0));
        double[] expected = new double[11];
        java.util.Arrays.fill(expected, 0, 10, 0.1);
        assertArrayEquals(expected, psi.referenceProportions(0), 1e-12, "ten value bins, then the NaN bin");
    }

    @Test
    void psiOfAWindowPiledIntoOneBinMatchesTheFormula() {
        Psi psi = new Psi(oneToHundred(), 10);
        for (int i = 1; i <= 10; i++) {
            psi.observe(new float[] {i}); // all in (-inf, 10]
        }
        double eps = Psi.DEFAULT_EPSILON;
        // Bin 0: (1 - 0.1) ln(1 / 0.1); nine empty bins: (eps - 0.1) ln(eps / 0.1); NaN bin: 0.
        double want = 0.9 * Math.log(10) + 9 * (eps - 0.1) * Math.log(eps / 0.1);
        assertEquals(want, psi.psi()[0], 1e-12);
        assertEquals(want, psi.max(), 1e-12);
        assertEquals(0, psi.maxFeature());
        assertEquals(10, psi.windowRows());
    }

    @Test
    void aMatchingWindowIsStable() {
        Psi psi = new Psi(oneToHundred(), 100);
        for (int i = 100; i >= 1; i--) {
            psi.observe(new float[] {i});
        }
        assertEquals(0.0, psi.psi()[0], 1e-15);
    }

    @Test
    void findsTheShiftedFeatureAndReadsTheLevels() {
        SplittableRandom r = new SplittableRandom(23L);
        Psi psi = new Psi(gaussian(r, 5_000, 0, 0, 0), 5_000);
        for (float[] row : gaussian(r, 5_000, 0, 0.4, 1.0)) {
            psi.observe(row);
        }
        double[] p = psi.psi();
        // PSI of a unit normal shifted by m is about m^2 (its symmetric KL divergence).
        assertTrue(p[0] < 0.02, "unshifted " + p[0]);
        assertEquals(0.16, p[1], 0.05);
        assertEquals(1.0, p[2], 0.25);
        assertEquals(2, psi.maxFeature());
        assertEquals(p[2], psi.max(), 0.0);
        assertEquals(Psi.Level.STABLE, Psi.level(p[0]));
        assertEquals(Psi.Level.MODERATE, Psi.level(p[1]));
        assertEquals(Psi.Level.SHIFT, Psi.level(p[2]));
    }

    @Test
    void levelBoundaries() {
        assertEquals(Psi.Level.STABLE, Psi.level(0.0999));
        assertEquals(Psi.Level.MODERATE, Psi.level(0.1));
        assertEquals(Psi.Level.MODERATE, Psi.level(0.25));
        assertEquals(Psi.Level.SHIFT, Psi.level(0.2501));
    }

    @Test
    void constantFeatureGetsTwoBinsAndStillSeesAMove() {
        float[][] ref = new float[50][1];
        for (float[] row : ref) {
            row[0] = 5f;
        }
        Psi psi = new Psi(ref, 20);
        assertArrayEquals(new float[] {5f}, psi.edges(0));
        assertArrayEquals(new double[] {1, 0, 0}, psi.referenceProportions(0), 0.0);
        for (int i = 0; i < 20; i++) {
            psi.observe(new float[] {5f});
        }
        assertEquals(0.0, psi.psi()[0], 0.0);
        for (int i = 0; i < 20; i++) {
            psi.observe(new float[] {6f});
        }
        double eps = Psi.DEFAULT_EPSILON;
        // (eps - 1) ln(eps / 1) + (1 - eps) ln(1 / eps)
        assertEquals(2 * (1 - eps) * Math.log(1 / eps), psi.psi()[0], 1e-9);
    }

    @Test
    void duplicateEdgesOfAMassPointAreMerged() {
        float[][] ref = new float[100][1];
        for (int i = 70; i < 100; i++) {
            ref[i][0] = i - 69; // 70 zeros, then 1..30
        }
        Psi psi = new Psi(ref, 10);
        // Deciles 1..7 are all 0; decile 8 is sorted[79] = 10, decile 9 is sorted[89] = 20.
        assertArrayEquals(new float[] {0, 10, 20}, psi.edges(0));
        assertArrayEquals(new double[] {0.7, 0.1, 0.1, 0.1, 0}, psi.referenceProportions(0), 1e-12);
    }

    @Test
    void missingValuesHaveTheirOwnBin() {
        SplittableRandom r = new SplittableRandom(4L);
        float[][] ref = gaussian(r, 4_000, 0);
        for (int i = 0; i < ref.length; i += 10) {
            ref[i][0] = Float.NaN; // 10% missing
        }
        Psi psi = new Psi(ref, 4_000);
        assertEquals(0.1, psi.referenceProportions(0)[psi.edges(0).length + 1], 1e-12);
        float[][] now = gaussian(r, 4_000, 0);
        for (int i = 0; i < now.length; i += 2) {
            now[i][0] = Float.NaN; // 50% missing, the rest as before
        }
        for (float[] row : now) {
            psi.observe(row);
        }
        // NaN bin: (0.5 - 0.1) ln 5; ten value bins each shrink from about 0.09 to 0.05.
        double want = 0.4 * Math.log(5) + (0.5 - 0.9) * Math.log(0.5 / 0.9);
        assertEquals(want, psi.psi()[0], 0.05);
    }

    @Test
    void slidingWindowForgetsTheOldestRows() {
        Psi psi = new Psi(oneToHundred(), 10);
        Psi fresh = new Psi(oneToHundred(), 10);
        for (int i = 0; i < 25; i++) {
            psi.observe(new float[] {1000f}); // far above every edge
        }
        for (int i = 0; i < 10; i++) {
            float[] row = {i * 10 + 5f};
            psi.observe(row);
            fresh.observe(row);
        }
        assertEquals(10, psi.windowRows());
        assertArrayEquals(fresh.psi(), psi.psi(), 0.0);
        assertEquals(0.0, psi.psi()[0], 1e-15, "one row in each decile");
    }

    @Test
    void evictingTheOldestRowsKeepsAShorterWindow() {
        Psi psi = new Psi(oneToHundred(), 30);
        Psi fresh = new Psi(oneToHundred(), 30);
        for (int i = 0; i < 40; i++) { // wraps the ring
            psi.observe(new float[] {1000f});
        }
        for (int i = 0; i < 10; i++) {
            float[] row = {i * 10 + 5f};
            psi.observe(row);
            fresh.observe(row);
        }
        while (psi.windowRows() > 10) {
            psi.evictOldest();
        }
        assertEquals(30, psi.capacity());
        assertArrayEquals(fresh.psi(), psi.psi(), 0.0);
        for (int i = 0; i < 45; i++) { // fills it past its capacity after the evictions
            float[] row = {i % 10 * 10 + 5f};
            psi.observe(row);
        }
        assertEquals(30, psi.windowRows());
        assertEquals(0.0, psi.psi()[0], 1e-15, "three rows in each decile");
        while (psi.windowRows() > 0) {
            psi.evictOldest();
        }
        assertTrue(Double.isNaN(psi.max()));
        assertThrows(IllegalStateException.class, psi::evictOldest);
        assertThrows(IllegalStateException.class, () -> new Psi(oneToHundred(), 10, Psi.Window.TUMBLING, 10, 1e-4).evictOldest());
    }

    @Test
    void aLargeWindowGrowsItsRingAndStillHoldsTheLastRows() {
        SplittableRandom r = new SplittableRandom(3);
        float[][] rows = gaussian(r, 8_500, 0.0, 1.0);
        Psi psi = new Psi(gaussian(new SplittableRandom(4), 2_000, 0.0, 0.0), 5_000);
        for (int i = 0; i < 7_000; i++) { // the ring doubles past 1,024 rows to 5,000, then wraps
            psi.observe(rows[i]);
        }
        assertEquals(5_000, psi.windowRows());
        while (psi.windowRows() > 3_000) {
            psi.evictOldest();
        }
        for (int i = 7_000; i < 8_500; i++) {
            psi.observe(rows[i]);
        }
        Psi fresh = new Psi(gaussian(new SplittableRandom(4), 2_000, 0.0, 0.0), 5_000);
        for (int i = 4_000; i < 8_500; i++) {
            fresh.observe(rows[i]);
        }
        assertEquals(4_500, psi.windowRows());
        assertArrayEquals(fresh.psi(), psi.psi(), 0.0);
    }

    @Test
    void eachFeatureIsComparedWithTheReferenceRowsThatStandForIt() {
        // Feature 0 of the first 500 reference rows was computed before its state warmed up (all zero); only the
        // later rows stand for it. Feature 1 has too few rows that stand for it to be compared at all.
        SplittableRandom r = new SplittableRandom(5);
        float[][] ref = gaussian(r, 1_000, 0.0, 0.0);
        for (int i = 0; i < 500; i++) {
            ref[i][0] = 0f;
        }
        Psi.ReferenceRows use = (row, feature) -> feature == 0 ? row >= 500 : row >= 950;
        Psi warm = new Psi(ref, use, Psi.DEFAULT_BINS, Psi.Window.SLIDING, 1_000, Psi.DEFAULT_EPSILON);
        Psi all = new Psi(ref, 1_000);
        for (float[] row : gaussian(new SplittableRandom(6), 1_000, 0.0, 5.0)) {
            warm.observe(row);
            all.observe(row);
        }
        assertTrue(all.psi()[0] > Psi.MODERATE, "against every row the warm-up looks like a shift: " + all.psi()[0]);
        assertEquals(Psi.Level.STABLE, Psi.level(warm.psi()[0]), "against the warm rows it is stable: " + warm.psi()[0]);
        assertTrue(warm.compares(0));
        assertFalse(warm.compares(1), "50 rows are too few");
        assertTrue(Double.isNaN(warm.psi()[1]));
        assertEquals(0, warm.maxFeature(), "the shifted but uncompared feature is passed by");
        assertTrue(warm.picksReferenceRows());
        assertTrue(PsiWindows.current(PsiWindows.against(new io.kingfisher.trainer.GoldenSet(ref, new float[ref.length]),
                java.util.List.of(), 50), 50));
        assertFalse(PsiWindows.current(all, 40), "1,000 rows are not 20 x 40");
        assertEquals(warm.psi()[0], warm.max(), 0.0);
        assertTrue(all.compares(1));
    }

    @Test
    void tumblingWindowReportsTheLastCompleteWindow() {
        Psi psi = new Psi(oneToHundred(), 10, Psi.Window.TUMBLING, 10, Psi.DEFAULT_EPSILON);
        for (int i = 0; i < 4; i++) {
            psi.observe(new float[] {1000f});
        }
        assertEquals(4, psi.windowRows(), "partial window before the first completes");
        for (int i = 0; i < 6; i++) {
            psi.observe(new float[] {1000f});
        }
        double shifted = psi.psi()[0];
        assertTrue(shifted > 5, "all rows in the top bin: " + shifted);
        for (int i = 0; i < 9; i++) {
            psi.observe(new float[] {i * 10 + 5f});
        }
        assertEquals(shifted, psi.psi()[0], 0.0, "the next window is not complete yet");
        assertEquals(10, psi.windowRows());
        psi.observe(new float[] {95f});
        assertEquals(0.0, psi.psi()[0], 1e-15, "the new complete window, one row per decile");
        assertEquals(20, psi.observed());
    }

    @Test
    void nanBeforeAnyRowAndAfterClear() {
        Psi psi = new Psi(oneToHundred(), 10);
        assertTrue(Double.isNaN(psi.psi()[0]));
        assertTrue(Double.isNaN(psi.max()));
        assertEquals(-1, psi.maxFeature());
        psi.observe(new float[] {1f});
        psi.clear();
        assertEquals(0, psi.windowRows());
        assertTrue(Double.isNaN(psi.psi()[0]));
    }

    @Test
    void serializationKeepsReferenceAndWindow() throws Exception {
        SplittableRandom r = new SplittableRandom(8L);
        Psi psi = new Psi(gaussian(r, 500, 0, 0), 50);
        for (float[] row : gaussian(r, 70, 0, 1)) {
            psi.observe(row);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(psi);
        }
        Psi copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Psi) in.readObject();
        }
        assertArrayEquals(psi.psi(), copy.psi(), 0.0);
        float[] row = {3f, -3f};
        psi.observe(row);
        copy.observe(row);
        assertArrayEquals(psi.psi(), copy.psi(), 0.0);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        float[][] ref = oneToHundred();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Psi(new float[0][], 10)).getMessage()
                .contains("reference"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Psi(new float[][] {{1, 2}, {1}}, 10))
                .getMessage().contains("reference[1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Psi(ref, 0)).getMessage()
                .contains("windowSize"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Psi(ref, 1, Psi.Window.SLIDING, 10, 1e-4)).getMessage().contains("bins"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Psi(ref, 10, Psi.Window.SLIDING, 10, 0)).getMessage().contains("epsilon"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Psi(ref, 10, null, 10, 1e-4)).getMessage().contains("mode"));
        Psi psi = new Psi(ref, 10);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> psi.observe(new float[2])).getMessage()
                .contains("row"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> psi.edges(1)).getMessage()
                .contains("feature"));
    }
}
