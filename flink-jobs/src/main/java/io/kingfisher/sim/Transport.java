package io.kingfisher.sim;

import java.io.Serializable;
import java.time.Duration;

/**
 * How events travel from where they happen to the producer: most arrive at once, a share is held up (a phone
 * offline, a batch upload, a slow gateway) and arrives after events that happened later, out of order, late.
 * A delayed event's delay is exponential with mean {@code meanDelay}, capped at {@code maxDelay}. Labels are not
 * delayed by transport: they are emitted when they become known.
 *
 * <p>Delays draw from their own random stream, so a simulator with another transport emits the same events in
 * another order.
 *
 * @param delayedShare share of events held up, in {@code [0, 1]}
 * @param meanDelay    mean delay of a held-up event
 * @param maxDelay     longest delay; keep it below the domain's allowed lateness (1 h by default) or the late
 *                     events are rejected by the feature operator
 */
public record Transport(double delayedShare, Duration meanDelay, Duration maxDelay) implements Serializable {
    /** Every event arrives when it happens. */
    public static final Transport NONE = new Transport(0.0, Duration.ofSeconds(1), Duration.ofSeconds(1));
    /** 1% of events held up, 30 s on average, at most 10 min. */
    public static final Transport DEFAULT = new Transport(0.01, Duration.ofSeconds(30), Duration.ofMinutes(10));

    public Transport {
        if (!(delayedShare >= 0 && delayedShare <= 1)) {
            throw new IllegalArgumentException("delayed share must be in [0, 1], was " + delayedShare);
        }
        if (meanDelay == null || meanDelay.isNegative() || meanDelay.isZero()) {
            throw new IllegalArgumentException("mean delay must be positive, was " + meanDelay);
        }
        if (maxDelay == null || maxDelay.compareTo(meanDelay) < 0) {
            throw new IllegalArgumentException("max delay must be at least the mean delay " + meanDelay + ", was " + maxDelay);
        }
    }

    /**
     * What a simulator's transport did so far.
     *
     * @param events events generated
     * @param heldUp of them, events held up (emitted after their event time)
     */
    public record Tally(long events, long heldUp) {
    }

    /** The default delays with another share held up. */
    public static Transport withDelayedShare(double share) {
        return new Transport(share, DEFAULT.meanDelay, DEFAULT.maxDelay);
    }

    /** @return a delay in ms: 0 for most events, exponential and capped for the held-up share */
    long delayMillis(Rng random) {
        if (delayedShare == 0 || random.uniform() >= delayedShare) {
            return 0;
        }
        return Math.max(1, Math.min(maxDelay.toMillis(), Math.round(random.exponential(meanDelay.toMillis()))));
    }
}
