package io.kingfisher.sim;

/**
 * How simulated time relates to the wall clock when a producer paces a simulator: {@code factor} simulated seconds
 * pass per wall second ({@code 600}: ten simulated minutes a second, a simulated day in 2 min 24 s), while the
 * producer writes {@code eventsPerSecond} events a wall second. Together they fix how busy the simulated world is,
 * {@code eventsPerSecond / factor} events a simulated second, and so its population (cards, users, beds).
 * {@link #NATURAL} keeps the domain's default population; then simulated time runs as fast as the producer's rate
 * makes it.
 *
 * @param factor          simulated seconds per wall second, {@code > 0}; NaN for {@link #NATURAL}
 * @param eventsPerSecond events the producer writes per wall second, {@code > 0}; NaN for {@link #NATURAL}
 */
public record TimeScale(double factor, double eventsPerSecond) {
    /** The domain's default population; no scaling. */
    public static final TimeScale NATURAL = new TimeScale(Double.NaN, Double.NaN);

    public TimeScale {
        boolean natural = Double.isNaN(factor) && Double.isNaN(eventsPerSecond);
        if (!natural) {
            if (!(factor > 0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("--time-scale must be a number > 0 (simulated seconds per wall second), was " + factor);
            }
            if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
                throw new IllegalArgumentException("--rate must be a number > 0 with a time scale, was " + eventsPerSecond);
            }
        }
    }

    /** @return {@code factor} simulated seconds per wall second at {@code eventsPerSecond} events per wall second */
    public static TimeScale of(double factor, double eventsPerSecond) {
        return new TimeScale(factor, eventsPerSecond);
    }

    /** @return whether this is {@link #NATURAL} */
    public boolean isNatural() {
        return Double.isNaN(factor);
    }

    /** @return events per simulated second the world must produce; NaN when natural */
    public double simulatedEventsPerSecond() {
        return eventsPerSecond / factor;
    }

    /**
     * @param simulatedMillis simulated time elapsed
     * @return the wall-clock time it takes at this scale, ms
     */
    public long wallMillis(long simulatedMillis) {
        if (isNatural()) {
            throw new IllegalStateException("a natural time scale does not pace by time");
        }
        return Math.round(simulatedMillis / factor);
    }
}
