package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.DistinctCount;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.kingfisher.features.Events.H;
import static io.kingfisher.features.Events.M;
import static io.kingfisher.features.Events.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistinctCountTest {

    private static float next(FeatureEngine engine, double[] st, long t, String value) {
        return engine.computeAndUpdate(st, text(t, value))[0];
    }

    @Test
    void countsDistinctEarlierValuesOverTheEntitysLife() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(DistinctCount.lifetime("countries", "country")));
        double[] st = engine.newState();
        assertEquals(0f, next(engine, st, 0, "GB"));
        assertEquals(1f, next(engine, st, 1, "GB"));
        assertEquals(1f, next(engine, st, 2, "FR"), "the current value is not counted yet");
        assertEquals(2f, next(engine, st, 3, null));
        assertEquals(2f, next(engine, st, 300 * 24 * H, "DE"), "missing values are not counted; a lifetime count never expires");
        for (String v : new String[]{"IT", "ES", "NL", "BE", "GB"}) {
            next(engine, st, 300 * 24 * H, v);
        }
        assertEquals(7f, next(engine, st, 300 * 24 * H, "PL"), "exact up to seven values");
        assertEquals(8.0, next(engine, st, 300 * 24 * H, null), 1.0, "approximate past seven");
        assertEquals(8, engine.spec().stateSize() - 1, "64 registers in 8 doubles");
    }

    @Test
    void aWindowedCountForgetsValuesOlderThanTheWindowAndUnitesItsBuckets() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(
                DistinctCount.windowed("merchants", "country", Duration.ofHours(1), Duration.ofMinutes(15))));
        double[] st = engine.newState();
        next(engine, st, 0, "m1");
        next(engine, st, 20 * M, "m1");
        next(engine, st, 40 * M, "m2");
        assertEquals(2f, next(engine, st, 50 * M, "m3"), "m1 in two buckets counts once");
        assertEquals(3f, next(engine, st, 59 * M, "m1"));
        assertEquals(3f, next(engine, st, 75 * M, "m1"), "buckets 2..5 hold m2, m3 and m1 (59m); buckets 0 and 1 rolled off");
        assertEquals(0f, next(engine, st, 5 * H, "m9"), "all buckets expired after a long gap");
        assertEquals(1f, next(engine, st, 5 * H + M, "m9"));
    }

    @Test
    void aWindowMixingExactAndApproximateBucketsEstimatesTheirUnion() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(
                DistinctCount.windowed("merchants", "country", Duration.ofHours(1), Duration.ofMinutes(30))));
        double[] st = engine.newState();
        for (int i = 0; i < 40; i++) {
            next(engine, st, i, "busy-" + i);          // bucket 0: approximate
        }
        next(engine, st, 31 * M, "busy-1");            // bucket 1: exact, already counted
        next(engine, st, 32 * M, "new-1");
        double both = next(engine, st, 33 * M, null);
        assertEquals(41, both, 41 * 0.15);
        assertTrue(both > next(engine, st, 33 * M, null) - 1e-9, "reading does not change the count");
        assertEquals(2f, next(engine, st, 61 * M, null), "bucket 0 rolled off: the exact bucket remains");
    }

    @Test
    void errorStaysWithinTheDocumentedBounds() {
        // Deterministic: the same strings every run. 64 registers: exact up to 7, then linear counting, then HyperLogLog.
        int[] sizes = {5, 20, 100, 1000, 20000};
        double[] maxMeanError = {0.0, 0.09, 0.11, 0.14, 0.14}; // measured: 0, 0.072, 0.087, 0.114, 0.111
        for (int s = 0; s < sizes.length; s++) {
            int n = sizes[s];
            double absError = 0;
            int trials = 40;
            for (int trial = 0; trial < trials; trial++) {
                FeatureEngine engine = new FeatureEngine(FeatureSpec.of(DistinctCount.lifetime("d", "country")));
                double[] st = engine.newState();
                for (int i = 0; i < n; i++) {
                    next(engine, st, i, "merchant-" + trial + "-" + i);
                }
                double estimate = next(engine, st, n, null);
                absError += Math.abs(estimate - n) / n;
            }
            double mean = absError / trials;
            assertTrue(mean <= maxMeanError[s], "mean relative error " + mean + " for " + n + " distinct values");
        }
    }

    @Test
    void packedRegistersAreExactIntegersThatAnyDoubleSerializerKeeps() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(DistinctCount.lifetime("d", "country")));
        double[] st = engine.newState();
        for (int i = 0; i < 100_000; i++) {
            next(engine, st, i, "v" + i);
        }
        for (int i = 0; i < 8; i++) {
            double w = st[i];
            assertEquals(Math.rint(w), w);
            assertTrue(w >= 0 && w < 0x1p48, "word " + i + " = " + w);
            assertEquals(w, Double.longBitsToDouble(Double.doubleToLongBits(w)));
        }
    }

    @Test
    void theHashIsFixedAcrossRuns() {
        // the sketch lives in state: a change of hash would silently corrupt every stored sketch
        assertEquals(0xbaae97fe21b4L, Hll.hash48("GB"));
        assertEquals(Hll.hash48("merchant-42"), Hll.hash48(new String("merchant-42".toCharArray())));
    }
}
