package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Window;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.kingfisher.features.Events.H;
import static io.kingfisher.features.Events.M;
import static io.kingfisher.features.Events.ev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatenessTest {
    private static final FeatureSpec SPEC = FeatureSpec.of(
            Window.of("amt", "amount", Duration.ofHours(6), Duration.ofMinutes(10), Agg.COUNT, Agg.SUM),
            new FeatureDef.DecayedCount("n", Duration.ofHours(1)),
            FeatureDef.LastN.of("last", "amount", 2)).withAllowedLateness(Duration.ofMinutes(30));

    @Test
    void anEventUpToTheAllowedLatenessIsFoldedInAndOneMillisecondMoreIsRejected() {
        FeatureEngine engine = new FeatureEngine(SPEC);
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(2 * H, 1));
        engine.computeAndUpdate(st, ev(2 * H - 30 * M, 2));
        double[] before = st.clone();
        LateEventException late = assertThrows(LateEventException.class, () -> engine.computeAndUpdate(st, ev(2 * H - 30 * M - 1, 4)));
        assertArrayEquals(before, st, "a rejected event changes nothing");
        assertEquals(30 * M + 1, late.lateByMs());
        assertEquals(30 * M, late.allowedMs());
        assertEquals(2 * H, late.latestTime());
        assertEquals("card-1", late.entity());
        assertTrue(late.getMessage().contains("'card-1'") && late.getMessage().contains("PT30M0.001S")
                && late.getMessage().contains("PT30M"), late.getMessage());
        assertArrayEquals(new float[]{2, 3}, java.util.Arrays.copyOf(engine.computeAndUpdate(st, ev(2 * H + M, 0)), 2));
    }

    @Test
    void latenessIsMeasuredFromTheLatestEventNotTheLastOne() {
        FeatureEngine engine = new FeatureEngine(SPEC);
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(3 * H, 1));
        engine.computeAndUpdate(st, ev(3 * H - 20 * M, 1)); // accepted; the latest stays 3h
        assertThrows(LateEventException.class, () -> engine.computeAndUpdate(st, ev(3 * H - 40 * M, 1)));
    }

    @Test
    void zeroLatenessAcceptsTiesAndRejectsAnythingOlder() {
        FeatureEngine engine = new FeatureEngine(SPEC.withAllowedLateness(Duration.ZERO));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, ev(H, 1));
        engine.computeAndUpdate(st, ev(H, 1));
        assertThrows(LateEventException.class, () -> engine.computeAndUpdate(st, ev(H - 1, 1)));
    }

    @Test
    void theOfflinePathRejectsTheSameEventsAndKeepsNoStateForARejectedFirstEvent() {
        OfflineFeatures off = new OfflineFeatures(SPEC);
        off.next(ev(2 * H, 1));
        assertThrows(LateEventException.class, () -> off.next(ev(H, 1)));
        assertThrows(InvalidInputException.class, () -> off.next(ev("card-2", 0, Double.NEGATIVE_INFINITY, "GB")));
        assertEquals(1, off.entities());
    }
}
