package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Lookup;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Label features of a related entity (a merchant's recent frauds, an item's recent clicks): their layout and
 * validation, and that an event reads only labels known in the complete buckets before its own.
 */
class LabelFeaturesTest {
    private static final long M = 60_000L;
    private static final Duration H1 = Duration.ofHours(1);
    private static final Duration M5 = Duration.ofMinutes(5);

    /** The merchant's payments in the hour, and the fraud labels filed against it in the hour, and all its labels. */
    static final RelatedEntity MERCHANT = RelatedEntity.of("merchant", "merchant_id",
                    new Window("txn_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE))
            .withLabels("merchant_id",
                    Window.of("frauds_1h", RelatedEntity.LABEL_FIELD, H1, M5, Agg.SUM),
                    new Window("labels_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE));

    /** The amount, the merchant's payments and frauds, and its fraud rate: frauds over payments. */
    static final FeatureSpec SPEC = FeatureSpec.of(List.of(
            FeatureDef.Numeric.of("amount", Transform.NONE),
            Lookup.of("merchant", "txn_1h"),
            Lookup.of("merchant", "frauds_1h"),
            new FeatureDef.Ratio("merchant_fraud_rate", "merchant.frauds_1h", "merchant.txn_1h")), List.of(MERCHANT));

    static InputEvent ev(String id, String card, String merchant, long t, double amount) {
        return new InputEvent(id, card, t, t, new double[]{amount}, new String[]{merchant});
    }

    /** A label known at {@code t}, naming {@code merchant} (null: none). */
    static InputEvent label(String id, String merchant, long t, boolean positive) {
        return new InputEvent(id, "", t, t, new double[]{positive ? 1 : 0}, new String[]{merchant});
    }

    @Test
    void labelColumnsFollowTheEntitysOwnAndTheLabelsHaveALayoutOfTheirOwn() {
        assertEquals(List.of("amount", "merchant.txn_1h", "merchant.frauds_1h", "merchant_fraud_rate"), SPEC.outputNames());
        assertEquals(List.of("merchant_id"), SPEC.labelTextInputs());
        assertTrue(SPEC.hasLabelFeatures());
        assertEquals(List.of("txn_1h"), SPEC.relatedSpec(0).outputNames());
        assertEquals(List.of("frauds_1h", "labels_1h"), SPEC.relatedLabelSpec(0).outputNames());
        assertEquals(List.of(RelatedEntity.LABEL_FIELD), SPEC.relatedLabelSpec(0).numericInputs());
        assertEquals(3, SPEC.relatedWidth(), "the merchant's own column and its two label columns");
        FeatureSpec without = FeatureSpec.of(List.of(FeatureDef.Numeric.of("amount", Transform.NONE), Lookup.of("merchant", "txn_1h")),
                List.of(RelatedEntity.of("merchant", "merchant_id", MERCHANT.features().toArray(FeatureDef[]::new))));
        assertNull(without.relatedLabelSpec(0));
        assertEquals(List.of(), without.labelTextInputs());
        FeatureSpec otherKey = FeatureSpec.of(SPEC.features(), List.of(new RelatedEntity("merchant", "merchant_id",
                MERCHANT.features(), "merchant_no", MERCHANT.labelFeatures())));
        assertNotEquals(SPEC.hash(), otherKey.hash(), "the label key field is part of the hash");
        assertNotEquals(SPEC.relatedLabelSpec(0).hash(), SPEC.relatedSpec(0).hash());
    }

    @Test
    void invalidLabelFeaturesFailNamingTheFeature() {
        FeatureSpecException e = assertThrows(FeatureSpecException.class, () -> MERCHANT.withLabels("merchant_id",
                Window.of("amt", "amount", H1, M5, Agg.SUM)));
        assertTrue(e.getMessage().contains("amt") && e.getMessage().contains("only the field 'label'"), e.getMessage());
        e = assertThrows(FeatureSpecException.class, () -> MERCHANT.withLabels(null, Window.count("n", H1, M5)));
        assertTrue(e.getMessage().contains("label field holding the entity's key"), e.getMessage());
        e = assertThrows(FeatureSpecException.class, () -> FeatureSpec.of(List.of(Lookup.of("merchant", "txn_1h")),
                List.of(MERCHANT.withLabels("merchant_id", Window.count("txn_1h", H1, M5)))));
        assertTrue(e.getMessage().contains("txn_1h") && e.getMessage().contains("among its label features"), e.getMessage());
        e = assertThrows(FeatureSpecException.class, () -> FeatureSpec.of(List.of(Lookup.of("merchant", "nope")), List.of(MERCHANT)));
        assertTrue(e.getMessage().contains("[txn_1h, frauds_1h, labels_1h]"), "lists the label columns too: " + e.getMessage());
        e = assertThrows(FeatureSpecException.class, () -> FeatureSpec.of(List.of(Lookup.of("merchant", "f")),
                List.of(MERCHANT.withLabels("merchant_id", new FeatureDef.DecayedCount("f", H1)))));
        assertTrue(e.getMessage().contains("kept in time buckets"), e.getMessage());
    }

    @Test
    void anEventReadsOnlyTheLabelsKnownInTheCompleteBucketsBeforeItsOwn() {
        OfflineFeatures offline = new OfflineFeatures(SPEC);
        assertArrayEquals(new float[]{10, 0, 0, 0}, offline.next(ev("e1", "c1", "m1", 0, 10)));
        assertEquals(1, offline.label(label("l1", "m1", M, true)));
        assertEquals(1, offline.label(label("l2", "m1", 7 * M, true)));
        assertEquals(1, offline.label(label("l3", "m1", 8 * M, false)));
        assertEquals(1, offline.label(label("l4", "m2", 2 * M, true)), "another merchant's");
        assertEquals(0, offline.label(label("l5", null, 2 * M, true)), "names no merchant");
        // bucket 1 [5, 10) min: bucket 0 holds e1 and l1; l2 and l3 are in the event's own bucket
        assertArrayEquals(new float[]{20, 1, 1, 1}, offline.next(ev("e2", "c2", "m1", 9 * M, 20)));
        // bucket 2: both payments, both frauds
        assertArrayEquals(new float[]{30, 2, 2, 1}, offline.next(ev("e3", "c3", "m1", 11 * M, 30)));
        // a payment of a merchant no label names
        assertArrayEquals(new float[]{40, 0, 0, 0}, offline.next(ev("e4", "c4", "m3", 12 * M, 40)));
        // an hour and a bit later the window has moved past the labels of the first 10 minutes
        assertEquals(1, offline.label(label("l6", "m1", 64 * M, true)));
        assertArrayEquals(new float[]{50, 1, 1, 1}, offline.next(ev("e5", "c5", "m1", 71 * M, 50)),
                "e3 (bucket 2) and l6 (bucket 12) remain of the hour before bucket 14");
    }

    @Test
    void aLabelLaterThanTheAllowedLatenessForItsEntityIsNotFoldedIn() {
        OfflineFeatures offline = new OfflineFeatures(SPEC);
        assertEquals(1, offline.label(label("l1", "m1", 200 * M, true)));
        assertEquals(0, offline.label(label("old", "m1", 100 * M, true)), "100 minutes behind the merchant's latest label");
        assertEquals(1, offline.label(label("l2", "m1", 150 * M, true)), "within the hour");
        offline.next(ev("e0", "c", "m1", 195 * M, 1));
        assertArrayEquals(new float[]{1, 1, 2, 2}, offline.next(ev("e1", "c", "m1", 206 * M, 1)),
                "l1 and l2 in the hour before bucket 41, the late label not; e0 the only payment");
    }

    @Test
    void readingLabelFeaturesNeverChangesTheirState() {
        FeatureStages stages = new FeatureStages(SPEC);
        double[] labels = stages.labels(0).newState();
        assertEquals(FeatureStages.Outcome.ACCEPTED, stages.foldLabel(0, labels, label("l1", "m1", M, true)));
        double[] before = labels.clone();
        double[] merchant = stages.related(0).newState();
        float[] related = stages.newRelated();
        stages.relate(0, merchant, labels, ev("e1", "c1", "m1", 30 * M, 5), related);
        assertArrayEquals(new float[]{0, 1, 1}, related);
        assertArrayEquals(before, labels);
        assertThrows(IllegalStateException.class, () -> stages.primary().read(new double[SPEC.stateSize()], 0, null,
                new float[SPEC.width()]));
    }
}
