package io.kingfisher.sim;

/** An endless, deterministic (for its seed) stream of events in non-decreasing simulated time. */
public interface Simulator {
    SimulatedEvent next();

    /** Current simulated time, epoch ms. */
    long now();
}
