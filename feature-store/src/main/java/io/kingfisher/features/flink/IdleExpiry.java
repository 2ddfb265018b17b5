package io.kingfisher.features.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;

/**
 * When an idle entity's feature state is deleted, and where its last write is kept: plain arithmetic for
 * {@link EntityFeatureFunction}'s expiry timers, no Flink in it.
 *
 * <p>Deadline. An entity written last at processing time {@code w} is idle from {@code w + ttl} on (the same rule
 * as Flink's state TTL: expired when {@code w + ttl <= now}); its timer is set at that time rounded up to the
 * {@linkplain #grain(long) grain}. Rounding makes the timers of entities written close together share a timestamp,
 * so they fire in one go rather than one callback per millisecond, and the expiry check runs just after the TTL
 * has passed, never before; an idle entity is deleted at most one grain late.
 *
 * <p>Layout. The stored state is the engine's slots followed by one more: the processing time of the entity's last
 * write, epoch ms (a whole number, so {@link CompactDoubleArraySerializer} writes it in about 6 bytes). The engine
 * reads and writes only its own slots, so the stored array is handed to it as it is, with no copy. A state without
 * that slot was written before expiry existed (it has no timer yet).
 */
final class IdleExpiry implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The coarsest grain: long TTLs (the default is 30 days) delete at most an hour late. */
    static final long MAX_GRAIN_MS = 3_600_000L;
    /** A TTL is cut into at least this many grains, so short TTLs (tests, demos) delete at most a tenth late. */
    static final int GRAINS_PER_TTL = 10;

    private final long ttlMs;
    private final long grainMs;

    IdleExpiry(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the TTL must be positive, was " + ttl);
        }
        this.ttlMs = ttl.toMillis();
        this.grainMs = grain(ttlMs);
    }

    /** The grain deadlines are rounded up to: a tenth of the TTL, at least 1 ms, at most an hour. */
    static long grain(long ttlMs) {
        return Math.max(1L, Math.min(MAX_GRAIN_MS, ttlMs / GRAINS_PER_TTL));
    }

    long grainMs() {
        return grainMs;
    }

    /** @return when to check an entity last written at {@code lastWriteMs}: its TTL's end rounded up to the grain */
    long deadline(long lastWriteMs) {
        long due = lastWriteMs + ttlMs;
        return -Math.floorDiv(-due, grainMs) * grainMs;
    }

    /** @return whether an entity last written at {@code lastWriteMs} has been idle for the TTL at {@code nowMs} */
    boolean idle(long lastWriteMs, long nowMs) {
        return lastWriteMs + ttlMs <= nowMs;
    }

    /** @return whether {@code stored} has the last-write slot after the engine's {@code engineSlots} */
    static boolean hasLastWrite(double[] stored, int engineSlots) {
        return stored.length == engineSlots + 1;
    }

    /** @return {@code engineState} (the engine's slots) in the stored layout, with room for the last write */
    static double[] withLastWriteSlot(double[] engineState) {
        return Arrays.copyOf(engineState, engineState.length + 1);
    }

    static long lastWrite(double[] stored) {
        return (long) stored[stored.length - 1];
    }

    static void setLastWrite(double[] stored, long nowMs) {
        stored[stored.length - 1] = nowMs;
    }
}
