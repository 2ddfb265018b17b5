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
    void holdsEachEntitysLatestVectorUntilTheBarrier() throws Exception {
        try (var h = harness(true, 100)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.processElement(event("card-b", 1_100, 2f));
            h.processElement(event("card-a", 1_200, 3f));
            h.processElement(event("card-a", 1_150, 4f)); // late: older than the one held
            assertEquals(List.of(), emitted(h), "nothing before the barrier");
            h.prepareSnapshotPreBarrier(1);
            assertEquals(List.of("card-a@1200=3.0 ts 1200", "card-b@1100=2.0 ts 1100"), emitted(h),
                    "the latest by event time, one per entity, with its record's timestamp");
            h.processElement(event("card-a", 1_300, 5f));
            h.prepareSnapshotPreBarrier(2);
            assertEquals(3, emitted(h).size(), "an entity's next interval gets its own vector");
            assertEquals("card-a@1300=5.0 ts 1300", emitted(h).get(2));
        }
    }

    @Test
    void theEndOfTheInputEmitsWhatIsHeld() throws Exception {
        try (var h = harness(true, 100)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.endInput();
            assertEquals(List.of("card-a@1000=1.0 ts 1000"), emitted(h));
        }
    }

    @Test
    void aFullHoldEmitsBeforeTakingAnotherEntity() throws Exception {
        try (var h = harness(true, 2)) {
            h.processElement(event("card-a", 1_000, 1f));
            h.processElement(event("card-b", 1_000, 2f));
            h.processElement(event("card-a", 1_001, 3f)); // held entity: no flush
            assertEquals(List.of(), emitted(h));
            h.processElement(event("card-c", 1_002, 4f));
            assertEquals(List.of("card-a@1001=3.0 ts 1001", "card-b@1000=2.0 ts 1000"), emitted(h));
            h.prepareSnapshotPreBarrier(1);
            assertEquals("card-c@1002=4.0 ts 1002", emitted(h).get(2));
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
