package io.kingfisher.jobs;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.schemas.core.FeatureVector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each entity's latest vector once per checkpoint: what the features sink is handed, and when. */
class LatestVectorPerEntityTest {
    private static final Domain FRAUD = BuiltInDomains.fraud();

    private static OneInputStreamOperatorTestHarness<FeaturedEvent, FeatureVector> harness(boolean collapse, int max) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new LatestVectorPerEntity(new FeatureVectors("fraud", FRAUD.features()), collapse, max));
        h.open();
        return h;
    }

    /** An event of {@code entity} at {@code eventTime} whose first feature is {@code marker}. */
    private static StreamRecord<FeaturedEvent> event(String entity, long eventTime, float marker) {
        float[] x = new float[FRAUD.features().width()];
        x[0] = marker;
        return new StreamRecord<>(new FeaturedEvent(new InputEvent("ev-" + marker, entity, eventTime, eventTime + 1,
                new double[0], new String[0]), x), eventTime);
    }

    private static List<String> emitted(OneInputStreamOperatorTestHarness<FeaturedEvent, FeatureVector> h) {
        return h.extractOutputStreamRecords().stream()
                .map(r -> r.getValue().getEntity() + "@" + r.getValue().getEventTime() + "=" + r.getValue().getValues().get(0)
                        + (r.hasTimestamp() ? " ts " + r.getTimestamp() : ""))
                .toList();
    }

    @Test
    void anEntitysFirstVectorGoesAtOnceAndItsLatestAtTheBarrier() throws Exception {
        try (var h = harness(true, 100)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.processElement(event("card-b", 1_100, 2f));
            assertEquals(List.of("card-a@1000=1.0 ts 1000", "card-b@1100=2.0 ts 1100"), emitted(h),
                    "each entity's first vector of the interval at once, with its record's timestamp");
            h.processElement(event("card-a", 1_200, 3f));
            h.processElement(event("card-a", 1_250, 4f)); // replaces the held one
            h.processElement(event("card-a", 1_150, 5f)); // late: older than the one held
            assertEquals(2, emitted(h).size(), "repeats wait for the barrier");
            h.prepareSnapshotPreBarrier(1);
            assertEquals(List.of("card-a@1000=1.0 ts 1000", "card-b@1100=2.0 ts 1100", "card-a@1250=4.0 ts 1250"), emitted(h),
                    "the barrier adds the latest by event time of each entity that came again, and nothing for card-b");
            h.processElement(event("card-a", 1_300, 6f));
            assertEquals("card-a@1300=6.0 ts 1300", emitted(h).get(3), "a new interval: card-a's first again goes at once");
            h.prepareSnapshotPreBarrier(2);
            assertEquals(4, emitted(h).size(), "nothing held");
        }
    }

    @Test
    void aLateEventAfterTheFirstChangesNothing() throws Exception {
        try (var h = harness(true, 100)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.processElement(event("card-a", 900, 2f));
            h.prepareSnapshotPreBarrier(1);
            assertEquals(List.of("card-a@1000=1.0 ts 1000"), emitted(h), "the newer first vector stands");
        }
    }

    @Test
    void theEndOfTheInputEmitsWhatIsHeld() throws Exception {
        try (var h = harness(true, 100)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.processElement(event("card-a", 1_100, 2f));
            h.endInput();
            assertEquals(List.of("card-a@1000=1.0 ts 1000", "card-a@1100=2.0 ts 1100"), emitted(h));
        }
    }

    @Test
    void aFullIntervalEmitsWhatIsHeldBeforeTakingAnotherEntity() throws Exception {
        try (var h = harness(true, 2)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.processElement(event("card-b", 1_000, 2f));
            h.processElement(event("card-a", 1_001, 3f)); // remembered entity: held, no flush
            assertEquals(2, emitted(h).size());
            h.processElement(event("card-c", 1_002, 4f));
            assertEquals(List.of("card-a@1000=1.0 ts 1000", "card-b@1000=2.0 ts 1000", "card-a@1001=3.0 ts 1001",
                    "card-c@1002=4.0 ts 1002"), emitted(h), "card-a's held vector first, then card-c's first");
            h.processElement(event("card-a", 1_003, 5f)); // forgotten by the flush: a first again
            assertEquals("card-a@1003=5.0 ts 1003", emitted(h).get(4));
        }
    }

    @Test
    void withoutCheckpointsEveryVectorGoesAtOnce() throws Exception {
        try (var h = harness(false, 100)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.processElement(event("card-a", 900, 2f));
            assertEquals(List.of("card-a@1000=1.0 ts 1000", "card-a@900=2.0 ts 900"), emitted(h));
        }
    }

    @Test
    void refusesAnEmptyHold() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LatestVectorPerEntity(new FeatureVectors("fraud", FRAUD.features()), true, 0));
        assertTrue(e.getMessage().contains("maxEntities"), e.getMessage());
    }
}
