package io.kingfisher.features;

import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Lookup;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.kingfisher.features.Events.H;
import static io.kingfisher.features.Events.M;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cross-entity features: the spec's validation and layout, and the as-of semantics of the related stages. */
class RelatedEntityTest {
    private static final Duration H1 = Duration.ofHours(1);
    private static final Duration M5 = Duration.ofMinutes(5);

    /** The merchant's payments in the last hour, and their count and mean amount, untransformed. */
    static final RelatedEntity MERCHANT = RelatedEntity.of("merchant", "merchant_id",
            new Window("txn_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE),
            Window.of("amt_1h", "amount", H1, M5, Agg.COUNT, Agg.MEAN));

    /** A card's amount and its own count, the merchant's two columns, and the amount against the merchant's mean. */
    static final FeatureSpec SPEC = FeatureSpec.of(List.of(
            FeatureDef.Numeric.of("amount", Transform.NONE),
            new Window("card_txn_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE),
            Lookup.of("merchant", "txn_1h"),
            Lookup.of("merchant", "amt_1h[mean]"),
            new FeatureDef.Ratio("amount_vs_merchant", "amount", "merchant.amt_1h[mean]")), List.of(MERCHANT));

    /** An event of {@code card} at {@code merchant} (null: none named). */
    static InputEvent ev(String id, String card, String merchant, long t, double amount) {
        return new InputEvent(id, card, t, t, new double[]{amount}, new String[]{merchant});
    }

    @Test
    void theLayoutNamesLookupsByEntityAndReadsTheKeyFieldAsText() {
        assertEquals(List.of("amount", "card_txn_1h", "merchant.txn_1h", "merchant.amt_1h[mean]", "amount_vs_merchant"),
                SPEC.outputNames());
        assertEquals(List.of("amount"), SPEC.numericInputs());
        assertEquals(List.of("merchant_id"), SPEC.textInputs());
        assertEquals(List.of(MERCHANT), SPEC.related());
        FeatureSpec merchant = SPEC.relatedSpec(0);
        assertEquals("merchant", merchant.entity());
        assertEquals(List.of("txn_1h", "amt_1h[count]", "amt_1h[mean]"), merchant.outputNames());
        assertEquals(3, SPEC.relatedWidth());
        // as-of rings: 12 window buckets + the event's own + 12 for the hour of lateness = 25
        assertEquals((1 + 25) + (1 + 25 * 2) + 1, merchant.stateSize());
        assertEquals(1 + 12 + 1, SPEC.stateSize(), "the card's own window keeps its 12 buckets");
        assertEquals(merchant.numericInputs(), SPEC.numericInputs(), "the stages read one event layout");
    }

    @Test
    void relatedEntitiesArePartOfTheHashAndASpecWithoutThemKeepsItsHash() {
        List<FeatureDef> own = List.of(FeatureDef.Numeric.of("amount", Transform.NONE));
        assertEquals(FeatureSpec.of(own).hash(), FeatureSpec.of(own, List.of()).hash());
        RelatedEntity wider = RelatedEntity.of("merchant", "merchant_id",
                new Window("txn_1h", null, H1, Duration.ofMinutes(10), List.of(Agg.COUNT), Transform.NONE),
                Window.of("amt_1h", "amount", H1, M5, Agg.COUNT, Agg.MEAN));
        FeatureSpec changed = FeatureSpec.of(SPEC.features(), List.of(wider));
        assertNotEquals(SPEC.hash(), changed.hash(), "a related entity's bucket width");
        assertEquals(SPEC.outputNames(), changed.outputNames());
        assertNotEquals(SPEC.hash(), FeatureSpec.of(SPEC.features(), List.of(new RelatedEntity("merchant", "merchant_no",
                MERCHANT.features()))).hash(), "the key field");
        assertNotEquals(SPEC.hash(), SPEC.withAllowedLateness(Duration.ofMinutes(30)).hash());
        assertEquals(SPEC.related(), SPEC.withAllowedLateness(Duration.ofMinutes(30)).related());
        assertNotEquals(SPEC.relatedSpec(0).stateSize(), SPEC.withAllowedLateness(Duration.ofMinutes(30)).relatedSpec(0).stateSize(),
                "less lateness, fewer buckets kept");
    }

    @Test
    void invalidLookupsFailNamingTheFeature() {
        List<FeatureDef> own = List.of(FeatureDef.Numeric.of("amount", Transform.NONE));
        assertNames("merchant.nope", () -> FeatureSpec.of(List.of(Lookup.of("merchant", "nope")), List.of(MERCHANT)),
                "has no column 'nope'");
        assertNames("shop.txn_1h", () -> FeatureSpec.of(List.of(Lookup.of("shop", "txn_1h")), List.of(MERCHANT)),
                "entity 'shop', which is not declared (related entities: merchant)");
        assertNames("merchant.txn_1h", () -> FeatureSpec.of(Lookup.of("merchant", "txn_1h")), "not declared (related entities: none)");
        assertNames("merchant", () -> FeatureSpec.of(own, List.of(MERCHANT)), "declared but no feature looks it up");
        assertNames("merchant", () -> FeatureSpec.of(List.of(Lookup.of("merchant", "txn_1h")), List.of(MERCHANT, MERCHANT)),
                "declared twice");
        RelatedEntity a = RelatedEntity.of("a", "a_id", Window.count("n", H1, M5), Lookup.of("b", "n"));
        RelatedEntity b = RelatedEntity.of("b", "b_id", Window.count("n", H1, M5), Lookup.of("a", "n"));
        assertNames("a.n", () -> FeatureSpec.of(List.of(Lookup.of("a", "n")), List.of(a, b)), "cycle: a -> b -> a");
        RelatedEntity self = RelatedEntity.of("s", "s_id", Window.count("n", H1, M5), Lookup.of("s", "n"));
        assertNames("s.n", () -> FeatureSpec.of(List.of(Lookup.of("s", "n")), List.of(self)), "cycle: s -> s");
        assertNames("Merchant", () -> Lookup.of("Merchant", "n"), "lower-case identifier");
    }

    @Test
    void aRelatedEntityKeepsOnlyFeaturesThatCanBeReadAsOfAnEventsTime() {
        RelatedEntity decayed = RelatedEntity.of("merchant", "merchant_id", new FeatureDef.DecayedCount("n", H1));
        assertNames("n", () -> FeatureSpec.of(List.of(Lookup.of("merchant", "n")), List.of(decayed)), "kept in time buckets");
        RelatedEntity lifetime = RelatedEntity.of("merchant", "merchant_id", FeatureDef.DistinctCount.lifetime("cards", "card_id"));
        assertNames("cards", () -> FeatureSpec.of(List.of(Lookup.of("merchant", "cards")), List.of(lifetime)), "DistinctCount");
        RelatedEntity fine = RelatedEntity.of("merchant", "merchant_id", Window.count("n", Duration.ofDays(2), Duration.ofMinutes(10)));
        FeatureSpec.of(List.of(Lookup.of("merchant", "n")), List.of(fine)).withAllowedLateness(Duration.ofDays(1)); // 433 buckets
        assertNames("n", () -> FeatureSpec.of(List.of(Lookup.of("merchant", "n")), List.of(fine)).withAllowedLateness(Duration.ofDays(2)),
                "keeps 577 buckets (the window's 288, the event's own and 288 for the allowed lateness), more than 512");
        assertThrows(FeatureSpecException.class, () -> new RelatedEntity("merchant", " ", MERCHANT.features()));
    }

    @Test
    void aRelatedEntityIsReadFromCompleteBucketsBeforeTheEventsOwnAndNeverAhead() {
        OfflineFeatures f = new OfflineFeatures(SPEC);
        assertArrayEquals(new float[]{10, 0, 0, 0, 0}, f.next(ev("e1", "a", "m1", M, 10)), "nothing known of m1");
        assertArrayEquals(new float[]{30, 0, 0, 0, 0}, f.next(ev("e2", "b", "m1", 2 * M, 30)),
                "e1 is in e2's own bucket: not yet complete, not read");
        assertArrayEquals(new float[]{50, 0, 2, 20, 2.5f}, f.next(ev("e3", "c", "m1", 6 * M, 50)), "bucket 0 is complete");
        assertArrayEquals(new float[]{5, 1, 0, 0, 0}, f.next(ev("x1", "a", "m2", 7 * M, 5)),
                "another merchant; the card's own window (not read as of) has e1");
        assertArrayEquals(new float[]{70, 0, 1, 50, 1.4f}, f.next(ev("e4", "d", "m1", 65 * M, 70)),
                "an hour later bucket 0 has left the window");
        // out of order for m1 (and new for card e), within the allowed lateness: it reads the buckets before its own,
        // as they are, and not e3 (its own bucket) nor e4 (later), which arrived before it
        assertArrayEquals(new float[]{40, 0, 2, 20, 2}, f.next(ev("e5", "e", "m1", 7 * M, 40)));
        assertArrayEquals(new float[]{1, 0, 2, 45, (float) (1 / 45.0)}, f.next(ev("e6", "a", "m1", 66 * M, 1)),
                "bucket 13's window is buckets 1..12: e3 and e5 (which came late, but before e6); e4 is in e6's own bucket");
    }

    @Test
    void aMissingKeyOrAnEventTooLateForTheRelatedEntityReadsZerosAndIsNotFoldedIn() {
        OfflineFeatures f = new OfflineFeatures(SPEC);
        f.next(ev("e1", "a", "m1", 0, 10));
        f.next(ev("e2", "b", "m1", 70 * M, 20));
        assertArrayEquals(new float[]{7, 0, 0, 0, 0}, f.next(ev("nokey", "c", null, 80 * M, 7)));
        assertArrayEquals(new float[]{7, 1, 0, 0, 0}, f.next(ev("empty", "c", "", 81 * M, 7)));
        assertEquals(1, f.relatedEntities(0), "no entity for a missing key");
        // a new card, so the primary stage accepts it; 66 minutes behind m1's latest event: too late for m1
        assertArrayEquals(new float[]{9, 0, 0, 0, 0}, f.next(ev("late", "d", "m1", 4 * M, 9)));
        // exactly the allowed lateness behind m1's latest event: accepted, and its window (buckets -10..1) still held
        assertArrayEquals(new float[]{3, 0, 1, 10, 0.3f}, f.next(ev("reader", "e", "m1", 10 * M, 3)),
                "bucket 0 holds e1 only: the late event was not folded in");
    }

    @Test
    void relatedEntitiesMayLookUpEarlierOnesAndRunAfterThem() {
        RelatedEntity category = RelatedEntity.of("category", "mcc",
                new Window("txn_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE));
        RelatedEntity merchant = RelatedEntity.of("merchant", "merchant_id",
                new Window("txn_1h", null, H1, M5, List.of(Agg.COUNT), Transform.NONE),
                Lookup.of("category", "txn_1h"),
                new FeatureDef.Ratio("share", "txn_1h", "category.txn_1h"));
        FeatureSpec spec = FeatureSpec.of(List.of(Lookup.of("merchant", "share"), Lookup.of("merchant", "category.txn_1h")),
                List.of(merchant, category));
        assertEquals(List.of(category, merchant), spec.related(), "stage order: what is looked up comes first");
        assertEquals(List.of("mcc", "merchant_id"), spec.textInputs(), "each stage's fields in stage order");
        OfflineFeatures f = new OfflineFeatures(spec);
        for (int i = 0; i < 4; i++) {
            f.next(new InputEvent("a" + i, "card-" + i, i * M, i * M, new double[0], new String[]{"5411", i < 3 ? "m1" : "m2"}));
        }
        float[] v = f.next(new InputEvent("b", "card-9", 6 * M, 6 * M, new double[0], new String[]{"5411", "m1"}));
        assertArrayEquals(new float[]{0.75f, 4}, v, "m1 had 3 of the category's 4 payments in the complete bucket");
    }

    /**
     * The point of reading as of the event's bucket: however the events of different cards interleave within a bucket
     * (as they do when they reach the related stage from several subtasks), every vector is the same, as long as each
     * card's events keep their order and no event is still in flight from an earlier bucket.
     */
    @Test
    void theVectorsDoNotDependOnHowCardsInterleaveWithinABucket() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<InputEvent> inOrder = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            long t = 1_767_225_600_000L + i * 10_000L;
            inOrder.add(ev("e" + i, "card-" + rnd.nextInt(60), "m" + rnd.nextInt(5), t, Math.round(rnd.nextDouble() * 10_000) / 100.0));
        }
        // another arrival order: shuffled within each 5-minute bucket, each card's events still in their order
        Map<InputEvent, Double> key = new HashMap<>();
        inOrder.forEach(e -> key.put(e, rnd.nextDouble()));
        List<InputEvent> shuffled = new ArrayList<>(inOrder);
        shuffled.sort(Comparator.comparingLong((InputEvent e) -> Math.floorDiv(e.eventTime, M5.toMillis())).thenComparing(key::get));
        Map<String, List<Integer>> slots = new HashMap<>();
        for (int i = 0; i < shuffled.size(); i++) {
            slots.computeIfAbsent(shuffled.get(i).entity, c -> new ArrayList<>()).add(i);
        }
        InputEvent[] arrival = new InputEvent[shuffled.size()];
        Map<String, Integer> next = new HashMap<>();
        for (InputEvent e : inOrder) {
            int k = next.merge(e.entity, 1, Integer::sum) - 1;
            arrival[slots.get(e.entity).get(k)] = e;
        }
        assertNotEquals(inOrder, List.of(arrival), "really another order");

        Map<String, float[]> a = vectors(inOrder);
        Map<String, float[]> b = vectors(List.of(arrival));
        int withMerchantHistory = 0;
        for (InputEvent e : inOrder) {
            assertArrayEquals(a.get(e.eventId), b.get(e.eventId), e.eventId);
            withMerchantHistory += a.get(e.eventId)[2] > 0 ? 1 : 0;
        }
        assertTrue(withMerchantHistory > 2_900, "merchants had history: " + withMerchantHistory);
    }

    private static Map<String, float[]> vectors(List<InputEvent> order) {
        OfflineFeatures f = new OfflineFeatures(SPEC);
        Map<String, float[]> out = new HashMap<>();
        for (InputEvent e : order) {
            out.put(e.eventId, f.next(e));
        }
        return out;
    }

    @Test
    void theEngineRefusesToComputeAPrimaryVectorWithoutItsRelatedStages() {
        FeatureEngine engine = new FeatureEngine(SPEC);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> engine.computeAndUpdate(engine.newState(), ev("e1", "a", "m1", 0, 1)));
        assertTrue(e.getMessage().contains("FeatureStages"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FeatureStages(SPEC.relatedSpec(0)));
    }

    private static void assertNames(String feature, Executable build, String problem) {
        FeatureSpecException e = assertThrows(FeatureSpecException.class, build);
        assertEquals(feature, e.feature(), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
