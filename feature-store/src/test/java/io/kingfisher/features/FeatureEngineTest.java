package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Transform;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureEngineTest {
    private static final long H = 3_600_000L;

    private static InputEvent event(long t, double amount, String country) {
        return new InputEvent("e" + t, "card-1", t, t, new double[]{amount}, new String[]{country});
    }

    @Test
    void decayedCountHalvesPerHalfLifeAndExcludesTheCurrentEvent() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.DecayedCount("n", Duration.ofHours(1))));
        double[] st = engine.newState();
        assertEquals(0f, engine.computeAndUpdate(st, event(0, 1, "GB"))[0]);
        assertEquals((float) Math.log1p(1.0), engine.computeAndUpdate(st, event(0, 1, "GB"))[0], 1e-6);
        // two events at t=0, one half-life later they weigh 1.0 together
        assertEquals((float) Math.log1p(1.0), engine.computeAndUpdate(st, event(H, 1, "GB"))[0], 1e-6);
    }

    @Test
    void outOfOrderEventIsFoldedInWithoutMovingTimeBack() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.DecayedCount("n", Duration.ofHours(1))));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, event(2 * H, 1, "GB"));
        engine.computeAndUpdate(st, event(H, 1, "GB")); // one half-life late: weighs 0.5 at t=2h
        assertEquals(1.5, st[0], 1e-9);
        assertEquals(2 * H, st[1], 0);
    }

    @Test
    void ewmaRatioComparesWithEarlierValuesOnly() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.EwmaRatio("r", "amount", Duration.ofDays(1))));
        double[] st = engine.newState();
        assertEquals(0f, engine.computeAndUpdate(st, event(0, 9, "GB"))[0]);
        assertEquals((float) Math.log(100.0 / 10.0), engine.computeAndUpdate(st, event(0, 99, "GB"))[0], 1e-5);
    }

    @Test
    void timeSinceLastIsCappedAndUsesTheCapForAFirstEvent() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.TimeSinceLast("dt", Duration.ofHours(1))));
        double[] st = engine.newState();
        assertEquals((float) Math.log1p(3600), engine.computeAndUpdate(st, event(0, 1, "GB"))[0], 1e-5);
        assertEquals((float) Math.log1p(60), engine.computeAndUpdate(st, event(60_000, 1, "GB"))[0], 1e-5);
        assertEquals((float) Math.log1p(3600), engine.computeAndUpdate(st, event(60_000 + 5 * H, 1, "GB"))[0], 1e-5);
    }

    @Test
    void differsFromFirstFlagsAChangeOfCountry() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.DiffersFromFirst("abroad", "country")));
        double[] st = engine.newState();
        assertEquals(0f, engine.computeAndUpdate(st, event(0, 1, "GB"))[0]);
        assertEquals(0f, engine.computeAndUpdate(st, event(1, 1, "GB"))[0]);
        assertEquals(1f, engine.computeAndUpdate(st, event(2, 1, "NG"))[0]);
    }

    @Test
    void oneHotHasAReservedBucketForUnseenAndMissing() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.OneHot("c", "country", List.of("GB", "FR"))));
        double[] st = engine.newState();
        assertArrayEquals(new float[]{0, 1, 0}, engine.computeAndUpdate(st, event(0, 1, "FR")));
        assertArrayEquals(new float[]{0, 0, 1}, engine.computeAndUpdate(st, event(0, 1, "XX")));
        assertArrayEquals(new float[]{0, 0, 1}, engine.computeAndUpdate(st, event(0, 1, null)));
    }

    @Test
    void numericImputesMissingAndFlagsIt() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.Numeric("a", "amount", Transform.LOG1P, -1, true)));
        double[] st = engine.newState();
        assertArrayEquals(new float[]{(float) Math.log1p(9), 0}, engine.computeAndUpdate(st, event(0, 9, "GB")), 1e-6f);
        assertArrayEquals(new float[]{-1, 1}, engine.computeAndUpdate(st, event(0, Double.NaN, "GB")));
    }

    @Test
    void hourOfDayIsOnTheUnitCircle() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.HourOfDay("h")));
        float[] six = engine.computeAndUpdate(engine.newState(), event(6 * H, 1, "GB"));
        assertEquals(1f, six[0], 1e-6);
        assertEquals(0f, six[1], 1e-6);
    }

    @Test
    void specLaysOutColumnsInputsAndStateAndHashesItsDefinitions() {
        FeatureSpec a = FeatureSpec.of(FeatureDef.Numeric.of("amount", Transform.NONE),
                new FeatureDef.OneHot("c", "country", List.of("GB")), new FeatureDef.EwmaRatio("r", "amount", Duration.ofDays(1)));
        assertEquals(List.of("amount", "c[GB]", "c[other]", "r"), a.outputNames());
        assertEquals(List.of("amount"), a.numericInputs());
        assertEquals(List.of("country"), a.textInputs());
        assertEquals(3 + 1, a.stateSize(), "the EWMA's three slots and the entity's latest event time");
        FeatureSpec b = FeatureSpec.of(FeatureDef.Numeric.of("amount", Transform.NONE),
                new FeatureDef.OneHot("c", "country", List.of("GB")), new FeatureDef.EwmaRatio("r", "amount", Duration.ofDays(2)));
        assertNotEquals(a.hash(), b.hash());
        assertEquals(a.hash(), FeatureSpec.of(a.features()).hash());
    }

    @Test
    void invalidDefinitionsFailNamingTheFeature() {
        FeatureSpecException dup = assertThrows(FeatureSpecException.class, () -> FeatureSpec.of(
                new FeatureDef.HourOfDay("h"), new FeatureDef.HourOfDay("h")));
        assertEquals("h", dup.feature());
        FeatureSpecException window = assertThrows(FeatureSpecException.class,
                () -> new FeatureDef.DecayedCount("velocity", Duration.ZERO));
        assertTrue(window.getMessage().contains("velocity"), window.getMessage());
    }

    @Test
    void adoptsAStateWrittenBeforeTheLatestTimeSlotAndRefusesOtherLayouts() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.DecayedCount("n", Duration.ofHours(1))));
        double[] legacy = {1.0, 0.0}; // count 1 at t=0, no latest-time slot
        double[] adopted = engine.adopt(legacy);
        assertEquals(engine.spec().stateSize(), adopted.length);
        assertEquals((float) Math.log1p(0.5), engine.computeAndUpdate(adopted, event(H, 1, "GB"))[0], 1e-6);
        assertEquals(H, adopted[2], 0, "the latest time is known from the first event after the upgrade");
        IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> engine.adopt(new double[7]));
        assertTrue(wrong.getMessage().contains("7 slots"), wrong.getMessage());
    }

    @Test
    void infiniteNumbersAreRejectedBeforeAnyStateChanges() {
        FeatureEngine engine = new FeatureEngine(FeatureSpec.of(new FeatureDef.EwmaRatio("r", "amount", Duration.ofDays(1)),
                new FeatureDef.DecayedCount("n", Duration.ofHours(1))));
        double[] st = engine.newState();
        engine.computeAndUpdate(st, event(0, 5, "GB"));
        double[] before = st.clone();
        InvalidInputException bad = assertThrows(InvalidInputException.class,
                () -> engine.computeAndUpdate(st, event(H, Double.POSITIVE_INFINITY, "GB")));
        assertEquals("amount", bad.field());
        assertArrayEquals(before, st);
    }

    @Test
    void offlinePathKeepsOneStatePerEntity() {
        OfflineFeatures off = new OfflineFeatures(FeatureSpec.of(new FeatureDef.DecayedCount("n", Duration.ofHours(1))));
        InputEvent a = event(0, 1, "GB");
        InputEvent b = new InputEvent("x", "card-2", 0, 0, new double[]{1}, new String[]{"GB"});
        off.next(a);
        assertEquals(0f, off.next(b)[0]);
        assertEquals((float) Math.log1p(1), off.next(a)[0], 1e-6);
        assertEquals(2, off.entities());
    }
}
