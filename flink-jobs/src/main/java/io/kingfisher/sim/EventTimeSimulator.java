package io.kingfisher.sim;

import java.util.PriorityQueue;

/**
 * The emission side shared by the domain simulators. A subclass generates the world in event-time order
 * ({@link #generate()}), handing each event to {@link #emitEvent} and each label to {@link #emitLabel} with the time
 * it becomes known. This class holds them until they are due and emits them in emission order: an event at its
 * arrival time (its event time plus the {@link Transport} delay, so a held-up event comes after later ones), a label
 * at its own time. Ties keep generation order.
 *
 * <p>Correctness rests on one invariant, checked: events are generated in non-decreasing event time, and no label is
 * due before the latest generated event. Then every record that is due no later than the latest event time can be
 * emitted, because anything generated later is due no earlier.
 */
public abstract class EventTimeSimulator implements Simulator {
    private final PriorityQueue<Due> due = new PriorityQueue<>();
    private final Transport transport;
    private final Rng transportRandom;
    private final long start;
    private long frontier;
    private long now;
    private long sequence;
    private long generated;
    private long delayed;

    /**
     * @param transportSeed seed of the transport delays (kept apart from the world's draws)
     * @param startMillis   simulated start, epoch ms
     * @param transport     how events are held up on their way
     */
    protected EventTimeSimulator(long transportSeed, long startMillis, Transport transport) {
        this.transport = transport == null ? Transport.NONE : transport;
        this.transportRandom = new Rng(transportSeed ^ 0x7A3B_5C1D_9E2F_4A6BL);
        this.start = startMillis;
        this.frontier = startMillis;
        this.now = startMillis;
    }

    /** Generates the world onwards: at least one record (event or label), no event before the last one generated. */
    protected abstract void generate();

    /**
     * Hands over an event that happened at {@code eventTime}.
     *
     * @throws IllegalStateException if it is earlier than an event generated before (a bug in the subclass)
     */
    protected final void emitEvent(SimulatedEvent event, long eventTime) {
        if (eventTime < frontier) {
            throw new IllegalStateException("event generated at " + eventTime + ", before the previous one at " + frontier);
        }
        frontier = eventTime;
        long delay = transport.delayMillis(transportRandom);
        if (delay > 0) {
            delayed++;
        }
        generated++;
        due.add(new Due(eventTime + delay, sequence++, event));
    }

    /**
     * Hands over a label that becomes known at {@code knownAt}.
     *
     * @throws IllegalStateException if that is before the latest generated event (a bug in the subclass)
     */
    protected final void emitLabel(SimulatedLabel label, long knownAt) {
        if (knownAt < frontier) {
            throw new IllegalStateException("label known at " + knownAt + ", before the latest event at " + frontier);
        }
        due.add(new Due(knownAt, sequence++, label));
    }

    /** @return the event time of the latest generated event (the start before any) */
    protected final long frontier() {
        return frontier;
    }

    @Override
    public final SimulatedRecord nextRecord() {
        while (due.isEmpty() || due.peek().time > frontier) {
            long before = sequence;
            generate();
            if (sequence == before) {
                throw new IllegalStateException(getClass().getSimpleName() + ".generate() produced nothing");
            }
        }
        Due d = due.poll();
        now = Math.max(now, d.time);
        return d.record;
    }

    @Override
    public final SimulatedEvent next() {
        while (true) {
            if (nextRecord() instanceof SimulatedEvent e) {
                return e;
            }
        }
    }

    @Override
    public final long now() {
        return now;
    }

    /** @return the simulated start, epoch ms */
    public final long start() {
        return start;
    }

    /** @return the transport events take */
    public final Transport transport() {
        return transport;
    }

    /** @return events generated so far and how many of them the transport held up */
    public final Transport.Tally transportTally() {
        return new Transport.Tally(generated, delayed);
    }

    private record Due(long time, long sequence, SimulatedRecord record) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
