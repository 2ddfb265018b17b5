package io.kingfisher.trainer.online;

import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartBalanceTest {

    private static Example ex(float label, long eventTime) {
        return new Example(new float[] {eventTime}, label, 0.5, 1, eventTime, eventTime + 1, "label", 0, eventTime);
    }

    private static List<Long> times(List<Example> examples) {
        return examples.stream().map(Example::eventTime).toList();
    }

    @Test
    void positivesBeforeTheFirstNegativeWaitForNegativesOfTheirPeriod() {
        StartBalance b = new StartBalance(100);
        assertEquals(List.of(), b.offer(ex(1, 30)));
        assertEquals(List.of(), b.offer(ex(1, 10)));
        assertEquals(List.of(), b.offer(ex(1, 20)));
        assertEquals(3, b.held());

        // The first negative (of an event at 15) releases the held positive of 10, then itself.
        assertEquals(List.of(10L, 15L), times(b.offer(ex(0, 15))));
        // A positive after the first negative is never held, even while others still are.
        assertEquals(List.of(40L), times(b.offer(ex(1, 40))));
        assertFalse(b.done());
        // The frontier passes 20 and 30: oldest event first, before the negative that moved it.
        assertEquals(List.of(20L, 30L, 31L), times(b.offer(ex(0, 31))));
        assertTrue(b.done());
        assertEquals(0, b.held());
        // From now on everything passes through as it comes.
        assertEquals(List.of(5L), times(b.offer(ex(1, 5))));
        assertEquals(List.of(6L), times(b.offer(ex(0, 6))));
    }

    @Test
    void aStreamThatSettlesNoNegativeIsReleasedAtCapacity() {
        StartBalance b = new StartBalance(3);
        b.offer(ex(1, 3));
        b.offer(ex(1, 1));
        b.offer(ex(1, 2));
        assertEquals(List.of(1L, 2L, 3L, 4L), times(b.offer(ex(1, 4))));
        assertTrue(b.done());
        assertEquals(List.of(5L), times(b.offer(ex(1, 5))));
    }

    @Test
    void heldPositivesSurviveACheckpoint() throws Exception {
        StartBalance b = new StartBalance(10);
        b.offer(ex(1, 2));
        b.offer(ex(1, 1));
        StartBalance restored = InstantiationUtil.clone(b); // Java serialization, as in the learner's checkpoint
        assertEquals(2, restored.held());
        assertEquals(List.of(1L, 2L, 3L), times(restored.offer(ex(0, 3))));
    }

    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new StartBalance(0));
    }
}
