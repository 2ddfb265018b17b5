package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.DistinctCount;
import io.kingfisher.features.FeatureDef.LastN;
import io.kingfisher.features.FeatureDef.Ratio;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureSpecTest {
    private static final Duration H1 = Duration.ofHours(1);
    private static final Duration M5 = Duration.ofMinutes(5);

    /** The kinds that existed before windows and lateness, as the fraud domain declares them. */
    private static FeatureSpec legacySpec() {
        return FeatureSpec.of(
                FeatureDef.Numeric.of("amount", Transform.LOG1P),
                new FeatureDef.EwmaRatio("amount_vs_card_avg", "amount", Duration.ofDays(14)),
                new FeatureDef.DecayedCount("card_txn_1h", Duration.ofHours(1)),
                new FeatureDef.DecayedCount("card_txn_1d", Duration.ofDays(1)),
                new FeatureDef.TimeSinceLast("since_last_txn", Duration.ofDays(30)),
                new FeatureDef.DiffersFromFirst("foreign_country", "country"),
                new FeatureDef.OneHot("channel", "channel", List.of("CHIP", "CONTACTLESS", "ONLINE", "MOTO")),
                new FeatureDef.OneHot("mcc", "merchant_category", List.of("5411", "5812", "5541", "5732", "4829", "5967", "7995")),
                new FeatureDef.HourOfDay("hour"),
                new FeatureDef.Numeric("fee", "fee", Transform.NONE, -1.5, true));
    }

    @Test
    void specsOfTheEarlierKindsKeepTheHashTheyHadBeforeLatenessWasConfigurable() {
        // computed by the feature store before windows and allowed lateness existed: models trained then still match
        String before = "31c07cf23ebd90ae5f0120c4daf777c578303f1c06de9e5fafabc6e666739f08";
        assertEquals(before, legacySpec().hash());
        assertEquals(before, legacySpec().withAllowedLateness(FeatureSpec.DEFAULT_ALLOWED_LATENESS).hash());
        assertEquals(FeatureSpec.DEFAULT_ALLOWED_LATENESS, legacySpec().allowedLateness());
    }

    @Test
    void allowedLatenessIsPartOfTheHash() {
        FeatureSpec a = legacySpec().withAllowedLateness(Duration.ofHours(2));
        assertNotEquals(legacySpec().hash(), a.hash());
        assertNotEquals(a.hash(), legacySpec().withAllowedLateness(Duration.ZERO).hash());
        assertEquals(a.hash(), legacySpec().withAllowedLateness(Duration.ofMinutes(120)).hash());
        assertEquals(Duration.ofHours(2), a.allowedLateness());
        assertEquals(legacySpec().outputNames(), a.outputNames());
        FeatureSpecException negative = assertThrows(FeatureSpecException.class, () -> legacySpec().withAllowedLateness(Duration.ofMinutes(-1)));
        assertTrue(negative.getMessage().contains("allowed lateness"), negative.getMessage());
    }

    @Test
    void everyNewKindHasItsOwnCanonicalTextInTheHash() {
        List<FeatureDef> defs = List.of(
                Window.of("w", "amount", H1, M5, Agg.MEAN),
                new FeatureDef.Ewma("e", "amount", H1, Transform.NONE),
                DistinctCount.lifetime("d", "country"),
                LastN.of("l", "amount", 2),
                new Ratio("r", "w", "e"),
                new FeatureDef.Difference("x", "w", "e"));
        String base = FeatureSpec.of(defs).hash();
        List<FeatureDef> changed = new java.util.ArrayList<>(defs);
        changed.set(0, Window.of("w", "amount", H1, Duration.ofMinutes(10), Agg.MEAN));
        assertNotEquals(base, FeatureSpec.of(changed).hash(), "bucket width");
        changed = new java.util.ArrayList<>(defs);
        changed.set(2, DistinctCount.windowed("d", "country", H1, Duration.ofMinutes(15)));
        assertNotEquals(base, FeatureSpec.of(changed).hash(), "lifetime vs window");
        changed = new java.util.ArrayList<>(defs);
        changed.set(4, new Ratio("r", "e", "w"));
        assertNotEquals(base, FeatureSpec.of(changed).hash(), "operand order");
    }

    @Test
    void layoutCountsTheTilesSketchesAndTheLatestTimeSlot() {
        FeatureSpec spec = FeatureSpec.of(
                Window.of("w", "amount", H1, M5, Agg.COUNT, Agg.STD, Agg.MAX),   // 1 + 12 * (count, mean, m2, max)
                DistinctCount.windowed("d", "country", H1, Duration.ofMinutes(15)), // 1 + 4 * 8
                LastN.of("l", "amount", 3));                                       // 6
        assertEquals(49 + 33 + 6 + 1, spec.stateSize());
        assertEquals(List.of("w[count]", "w[std]", "w[max]", "d", "l[1]", "l[2]", "l[3]"), spec.outputNames());
        assertEquals(List.of("amount"), spec.numericInputs());
        assertEquals(List.of("country"), spec.textInputs());
        assertEquals(4, spec.columnIndex("l[1]"));
    }

    @Test
    void invalidWindowsFailNamingTheFeature() {
        assertNames("velocity", () -> Window.of("velocity", "amount", Duration.ofMinutes(1), M5, Agg.SUM), "shorter than its bucket");
        assertNames("velocity", () -> Window.of("velocity", "amount", H1, Duration.ZERO, Agg.SUM), "zero buckets");
        assertNames("velocity", () -> Window.of("velocity", "amount", H1, Duration.ofMinutes(7), Agg.SUM), "whole number of buckets");
        assertNames("velocity", () -> Window.of("velocity", "amount", Duration.ofDays(7), Duration.ofMinutes(1), Agg.SUM), "more than 512");
        assertNames("velocity", () -> Window.of("velocity", "amount", Duration.ZERO, M5, Agg.SUM), "window must be positive");
        assertNames("velocity", () -> Window.of("velocity", "amount", H1, Duration.ofNanos(500_000), Agg.SUM), "at least 1 ms");
        assertNames("velocity", () -> Window.of("velocity", "amount", H1, M5), "at least one aggregation");
        assertNames("velocity", () -> Window.of("velocity", "amount", H1, M5, Agg.SUM, Agg.SUM), "repeat");
        assertNames("velocity", () -> new Window("velocity", null, H1, M5, List.of(Agg.SUM), Transform.NONE), "need a field");
    }

    @Test
    void invalidSketchesAndSequencesFailNamingTheFeature() {
        assertNames("merchants", () -> new DistinctCount("merchants", "m", null, null, 48), "power of two");
        assertNames("merchants", () -> new DistinctCount("merchants", "m", null, M5, 64), "bucket without a window");
        assertNames("merchants", () -> new DistinctCount("merchants", "m", Duration.ofDays(1), Duration.ofMinutes(15), 64), "at most 64");
        assertNames("merchants", () -> DistinctCount.windowed("merchants", "m", M5, H1), "shorter than its bucket");
        assertNames("last", () -> LastN.of("last", "amount", 0), "n must be");
        assertNames("last", () -> new LastN("last", "amount", 2, Double.NaN, Transform.NONE), "impute");
    }

    @Test
    void derivedFeaturesWithUnknownColumnsOrCyclesFailNamingTheFeature() {
        Window n = Window.count("n", H1, M5);
        assertNames("share", () -> FeatureSpec.of(n, new Ratio("share", "n", "n_1d")), "unknown column 'n_1d'");
        assertNames("a", () -> FeatureSpec.of(n, new Ratio("a", "n", "b"), new Ratio("b", "a", "n")), "cycle: a -> b -> a");
        assertNames("self", () -> FeatureSpec.of(n, new FeatureDef.Difference("self", "self", "n")), "cycle: self -> self");
        assertNames("r", () -> FeatureSpec.of(Window.of("w", "amount", H1, M5, Agg.SUM, Agg.MEAN), new Ratio("r", "w", "w[sum]")),
                "unknown column 'w'");
    }

    @Test
    void columnsMustNotCollideAcrossFeatures() {
        FeatureSpecException e = assertThrows(FeatureSpecException.class, () -> FeatureSpec.of(
                LastN.of("x", "amount", 1), FeatureDef.Numeric.of("x[1]", Transform.NONE)));
        assertEquals("x[1]", e.feature());
        assertTrue(e.getMessage().contains("also a column of 'x'"), e.getMessage());
    }

    private static void assertNames(String feature, Executable build, String problem) {
        FeatureSpecException e = assertThrows(FeatureSpecException.class, build);
        assertEquals(feature, e.feature(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + feature + "'") && e.getMessage().contains(problem), e.getMessage());
    }
}
