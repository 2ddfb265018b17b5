package io.kingfisher.sim;

/**
 * An endless, deterministic (for its seed) stream of simulated records in emission order: events, and the labels
 * that follow them. Emission order is the order a producer writes them; an event's own time may lie before
 * records already emitted (out of order, late), a label is emitted when it becomes known.
 */
public interface Simulator {
    /** @return the next event; labels that become known before it are skipped */
    SimulatedEvent next();

    /**
     * @return the next record, event or label, in emission order. A simulator without labels returns only events
     *     (the default).
     */
    default SimulatedRecord nextRecord() {
        return next();
    }

    /** Current simulated time, epoch ms: when the last record was emitted. */
    long now();
}
