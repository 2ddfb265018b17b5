package io.kingfisher.features.flink;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleExpiryTest {
    private static final long H = 3_600_000L;

    @Test
    void theGrainIsATenthOfTheTtlAtMostAnHour() {
        assertEquals(H, new IdleExpiry(Duration.ofDays(30)).grainMs());
        assertEquals(H, new IdleExpiry(Duration.ofHours(10)).grainMs());
        assertEquals(30 * 60_000L, new IdleExpiry(Duration.ofHours(5)).grainMs());
        assertEquals(100L, new IdleExpiry(Duration.ofSeconds(1)).grainMs());
        assertEquals(1L, new IdleExpiry(Duration.ofMillis(5)).grainMs());
    }

    @Test
    void theDeadlineIsTheEndOfTheTtlRoundedUp() {
        IdleExpiry day = new IdleExpiry(Duration.ofDays(1));
        assertEquals(24 * H, day.deadline(0));
        assertEquals(25 * H, day.deadline(1));
        assertEquals(25 * H, day.deadline(H));
        IdleExpiry second = new IdleExpiry(Duration.ofSeconds(1));
        assertEquals(1_100L, second.deadline(50));
        assertEquals(1_000L, second.deadline(0));
    }

    @Test
    void idleFromTheEndOfTheTtlOnAsFlinksTtl() {
        IdleExpiry day = new IdleExpiry(Duration.ofDays(1));
        assertFalse(day.idle(H, 25 * H - 1));
        assertTrue(day.idle(H, 25 * H));
    }

    @Test
    void theLastWriteSlotFollowsTheEngineSlots() {
        double[] stored = IdleExpiry.withLastWriteSlot(new double[]{1, Double.NaN, 3});
        assertEquals(4, stored.length);
        assertTrue(IdleExpiry.hasLastWrite(stored, 3));
        assertFalse(IdleExpiry.hasLastWrite(new double[3], 3));
        IdleExpiry.setLastWrite(stored, 1_767_225_600_123L);
        assertEquals(1_767_225_600_123L, IdleExpiry.lastWrite(stored));
        assertEquals(3.0, stored[2]);
    }
}
