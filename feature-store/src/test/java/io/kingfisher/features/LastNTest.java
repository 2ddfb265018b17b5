package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.LastN;
import io.kingfisher.features.FeatureDef.Transform;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kingfisher.features.Events.M;
import static io.kingfisher.features.Events.ev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LastNTest {

    @Test
    void readsTheLastPresentValuesBeforeTheEventMostRecentFirst() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new LastN("amt", "amount", 3, -1, Transform.NONE)));
        double[] st = engine.newState();
        assertArrayEquals(new float[]{-1, -1, -1}, engine.computeAndUpdate(st, ev(0, 1)));
        engine.computeAndUpdate(st, ev(M, 2));
        engine.computeAndUpdate(st, ev(2 * M, Double.NaN));
        assertArrayEquals(new float[]{2, 1, -1}, engine.computeAndUpdate(st, ev(3 * M, 3)), "missing values are skipped");
        engine.computeAndUpdate(st, ev(4 * M, 4));
        assertArrayEquals(new float[]{4, 3, 2}, engine.computeAndUpdate(st, ev(5 * M, 5)), "only three are kept");
        assertEquals(List.of("amt[1]", "amt[2]", "amt[3]"), engine.spec().outputNames());
    }

    @Test
    void anOutOfOrderValueIsInsertedByTimeAndReadsOnlyEarlierValues() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(LastN.of("amt", "amount", 3)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 1));
        engine.computeAndUpdate(st, ev(10 * M, 3));
        assertArrayEquals(new float[]{1, 0, 0}, engine.computeAndUpdate(st, ev(5 * M, 2)), "10m is after it");
        assertArrayEquals(new float[]{3, 2, 1}, engine.computeAndUpdate(st, ev(11 * M, 4)));
    }

    @Test
    void aValueAtTheSameTimeCountsAsMoreRecentAndTheTransformSparesTheImputedValue() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new LastN("amt", "amount", 2, 5, Transform.LOG1P)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(0, 1));
        assertArrayEquals(new float[]{(float) Math.log1p(1), 5}, engine.computeAndUpdate(st, ev(0, 9)));
        assertArrayEquals(new float[]{(float) Math.log1p(9), (float) Math.log1p(1)}, engine.computeAndUpdate(st, ev(0, 0)));
    }
}
