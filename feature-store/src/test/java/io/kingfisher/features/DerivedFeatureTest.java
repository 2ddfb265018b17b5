package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Difference;
import io.kingfisher.features.FeatureDef.Ratio;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.kingfisher.features.Events.H;
import static io.kingfisher.features.Events.M;
import static io.kingfisher.features.Events.ev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class DerivedFeatureTest {

    @Test
    void ratiosAndDifferencesReadColumnsOfTheSameVectorInAnyDeclarationOrder() {
        FeatureSpec spec = FeatureSpec.of(
                new Difference("spread", "day_minus_hour", "n_1h"),           // reads a derived column declared later
                new Ratio("hour_share", "n_1h", "n_1d"),
                new Window("n_1h", null, Duration.ofHours(1), Duration.ofMinutes(5), List.of(Agg.COUNT), Transform.NONE),
                new Window("n_1d", null, Duration.ofDays(1), Duration.ofHours(1), List.of(Agg.COUNT), Transform.NONE),
                new Difference("day_minus_hour", "n_1d", "n_1h"),
                Window.of("amt", "amount", Duration.ofDays(1), Duration.ofHours(1), Agg.SUM, Agg.MAX),
                new Ratio("max_share", "amt[max]", "amt[sum]"));
        FeatureEngine engine = new FeatureEngine(spec);
        double[] st = engine.newState();
        assertArrayEquals(new float[]{0, 0, 0, 0, 0, 0, 0, 0}, engine.computeAndUpdate(st, ev(0, 6)),
                "a zero denominator gives 0");
        engine.computeAndUpdate(st, ev(3 * H, 2));
        engine.computeAndUpdate(st, ev(3 * H + M, 4));
        // before the event at 3h30: 1h window holds 2 events, 1d window 3; amounts 6, 2, 4
        assertArrayEquals(new float[]{1 - 2, 2f / 3, 2, 3, 1, 12, 6, 0.5f}, engine.computeAndUpdate(st, ev(3 * H + 30 * M, 0)), 1e-6f);
    }
}
