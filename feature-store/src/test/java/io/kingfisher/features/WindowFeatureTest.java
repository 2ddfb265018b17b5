package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.kingfisher.features.Events.H;
import static io.kingfisher.features.Events.M;
import static io.kingfisher.features.Events.ev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowFeatureTest {
    /** Ten one-minute buckets over amount: count, sum, mean, min, max, std. */
    private static final FeatureSpec ALL = FeatureSpec.of(
            Window.of("amt", "amount", Duration.ofMinutes(10), Duration.ofMinutes(1), Agg.COUNT, Agg.SUM, Agg.MEAN, Agg.MIN, Agg.MAX, Agg.STD));

    private static FeatureSpec countAndSum(Duration window, Duration bucket) {
        return FeatureSpec.of(Window.of("w", "amount", window, bucket, Agg.COUNT, Agg.SUM));
    }

    @Test
    void aggregatesTheEarlierEventsOfTheWindowAndNotTheCurrentOne() {
        FeatureEngine engine = new FeatureEngine(ALL);
        double[] st = engine.newState();
        assertArrayEquals(new float[6], engine.computeAndUpdate(st, ev(0, 1)), "nothing before the first event");
        engine.computeAndUpdate(st, ev(M, 3));
        engine.computeAndUpdate(st, ev(2 * M, 8));
        float[] v = engine.computeAndUpdate(st, ev(3 * M, 1000));
        assertArrayEquals(new float[]{3, 12, 4, 1, 8, (float) Math.sqrt(26.0 / 3)}, v, 1e-5f);
        assertEquals(List.of("amt[count]", "amt[sum]", "amt[mean]", "amt[min]", "amt[max]", "amt[std]"), ALL.outputNames());
    }

    @Test
    void eventsInTheSameBucketAndAtTheSameTimeAllCount() {
        FeatureEngine engine = new FeatureEngine(ALL);
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 2));
        engine.computeAndUpdate(st, ev(0, 4));
        float[] v = engine.computeAndUpdate(st, ev(10_000, 0));
        assertArrayEquals(new float[]{2, 6, 3, 2, 4, 1}, v, 1e-6f);
    }

    @Test
    void theOldestBucketRollsOffAndItsRingSlotIsReused() {
        FeatureEngine engine = new FeatureEngine(countAndSum(Duration.ofMinutes(10), Duration.ofMinutes(1)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 1));                                         // bucket 0
        assertArrayEquals(new float[]{1, 1}, engine.computeAndUpdate(st, ev(9 * M + 30_000, 2)), "bucket 0 is still in buckets 0..9");
        assertArrayEquals(new float[]{1, 2}, engine.computeAndUpdate(st, ev(10 * M, 4)), "buckets 1..10: bucket 0 rolled off");
        assertArrayEquals(new float[]{2, 6}, engine.computeAndUpdate(st, ev(10 * M + 30_000, 0)),
                "bucket 10 took bucket 0's ring slot, cleared, and holds only the event at 10m");
    }

    @Test
    void aLongGapEmptiesTheWholeWindow() {
        FeatureEngine engine = new FeatureEngine(countAndSum(Duration.ofHours(1), Duration.ofMinutes(5)));
        double[] st = engine.newState();
        for (int i = 0; i < 6; i++) {
            engine.computeAndUpdate(st, ev(i * M, 10));
        }
        assertArrayEquals(new float[]{0, 0}, engine.computeAndUpdate(st, ev(3 * 24 * H, 7)));
        assertArrayEquals(new float[]{1, 7}, engine.computeAndUpdate(st, ev(3 * 24 * H + M, 0)));
    }

    @Test
    void anOutOfOrderEventLandsInItsOwnBucketAndReadsNothingAfterIt() {
        FeatureEngine engine = new FeatureEngine(countAndSum(Duration.ofMinutes(10), Duration.ofMinutes(1)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 1));
        engine.computeAndUpdate(st, ev(5 * M, 2));
        engine.computeAndUpdate(st, ev(9 * M, 4));
        assertArrayEquals(new float[]{1, 1}, engine.computeAndUpdate(st, ev(2 * M, 10)),
                "7 minutes late: reads buckets up to its own (only t=0), not 5m and 9m");
        assertArrayEquals(new float[]{4, 17}, engine.computeAndUpdate(st, ev(9 * M + 30_000, 8)));
        assertArrayEquals(new float[]{4, 24}, engine.computeAndUpdate(st, ev(11 * M + 30_000, 0)),
                "buckets 2..11: the late value is in bucket 2");
        assertArrayEquals(new float[]{4, 14}, engine.computeAndUpdate(st, ev(12 * M, 0)),
                "buckets 3..12: bucket 2 rolled off, taking the late value with it");
    }

    @Test
    void aLateEventOlderThanTheRingReadsAnEmptyWindowAndIsNotKept() {
        FeatureEngine engine = new FeatureEngine(countAndSum(Duration.ofMinutes(10), Duration.ofMinutes(1)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 1));
        engine.computeAndUpdate(st, ev(40 * M, 2));
        assertArrayEquals(new float[]{0, 0}, engine.computeAndUpdate(st, ev(5 * M, 3)), "35 minutes late, within the allowed hour");
        assertArrayEquals(new float[]{1, 2}, engine.computeAndUpdate(st, ev(41 * M, 0)));
    }

    @Test
    void withAFieldMissingValuesAreSkippedWithoutOneEveryEventCounts() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(
                new Window("n", null, Duration.ofHours(1), Duration.ofMinutes(10), List.of(Agg.COUNT), Transform.NONE),
                Window.of("amt", "amount", Duration.ofHours(1), Duration.ofMinutes(10), Agg.COUNT, Agg.MEAN)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 4));
        engine.computeAndUpdate(st, ev(M, Double.NaN));
        engine.computeAndUpdate(st, ev(2 * M, 8));
        assertArrayEquals(new float[]{3, 2, 6}, engine.computeAndUpdate(st, ev(3 * M, 1)));
    }

    @Test
    void theCountFactoryIsLog1pScaled() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(Window.count("n", Duration.ofHours(1), Duration.ofMinutes(5))));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 1));
        engine.computeAndUpdate(st, ev(M, 1));
        assertEquals((float) Math.log1p(2), engine.computeAndUpdate(st, ev(2 * M, 1))[0], 1e-6);
        assertEquals(List.of("n"), engine.spec().outputNames());
    }

    @Test
    void standardDeviationStaysAccurateForLargeValuesWithSmallSpread() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(
                Window.of("s", "amount", Duration.ofHours(1), Duration.ofMinutes(1), Agg.STD, Agg.MEAN)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 1e9 + 1));
        engine.computeAndUpdate(st, ev(M, 1e9 + 2));   // another bucket: merged, not summed as squares
        engine.computeAndUpdate(st, ev(M, 1e9 + 3));
        float[] v = engine.computeAndUpdate(st, ev(2 * M, 0));
        assertEquals(Math.sqrt(2.0 / 3), v[0], 1e-6);
        assertEquals(1e9 + 2, v[1], 64, "float precision of the column");
    }

    @Test
    void minAndMaxIgnoreEmptyBucketsBetweenEvents() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(
                Window.of("x", "amount", Duration.ofHours(1), Duration.ofMinutes(1), Agg.MIN, Agg.MAX)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, -5));
        engine.computeAndUpdate(st, ev(30 * M, 7));
        assertArrayEquals(new float[]{-5, 7}, engine.computeAndUpdate(st, ev(59 * M, 0)));
        assertArrayEquals(new float[]{0, 7}, engine.computeAndUpdate(st, ev(61 * M, 0)), "buckets 2..61: -5 gone, 0 at 59m kept");
    }
}
