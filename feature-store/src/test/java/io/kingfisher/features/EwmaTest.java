package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Ewma;
import io.kingfisher.features.FeatureDef.Transform;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.kingfisher.features.Events.H;
import static io.kingfisher.features.Events.ev;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EwmaTest {

    @Test
    void averagesEarlierValuesWithWeightsHalvingPerHalfLife() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new Ewma("avg", "amount", Duration.ofHours(1), Transform.NONE)));
        double[] st = engine.newState();
        assertEquals(0f, engine.computeAndUpdate(st, ev(0, 10))[0], "nothing known before the first value");
        assertEquals(10f, engine.computeAndUpdate(st, ev(H, 30))[0], 1e-6, "the current value is excluded");
        // at 1h: 10 weighs 1/2, 30 weighs 1
        assertEquals((10 * 0.5 + 30) / 1.5, engine.computeAndUpdate(st, ev(H, Double.NaN))[0], 1e-5);
    }

    @Test
    void anOutOfOrderValueWeighsByItsAgeAndTheTransformApplies() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new Ewma("avg", "amount", Duration.ofHours(1), Transform.LOG1P)));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(2 * H, 10));
        engine.computeAndUpdate(st, ev(H, 40)); // one half-life behind: weight 1/2
        assertEquals((float) Math.log1p((10 + 40 * 0.5) / 1.5), engine.computeAndUpdate(st, ev(2 * H, 0))[0], 1e-6);
    }
}
