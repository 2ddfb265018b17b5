package io.kingfisher.trainer.online;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Keeps a freshly started learner from training on positives alone.
 *
 * <p>With delayed feedback a positive arrives with its label, but a negative only when the score's label window
 * closes (a timeout) or a provisional delay has passed. A feedback join that starts from nothing therefore emits
 * only positives for one whole window: a click comes seconds after its impression, the negatives of the first
 * impressions half an hour later. A learner that trains on that stream learns "everything is positive" (in the
 * clicks demo its candidates' AUC fell to 0.2 and the gate refused them for seconds after the negatives began).
 * In steady state the two classes flow side by side: the positives of recent scores and the negatives of scores
 * one window older, each at its own rate.
 *
 * <p>So until the first negative example arrives, positives are held back. Each negative moves a frontier (the
 * latest event time of a negative); held positives whose event is not later than it are released, oldest event
 * first, just before that negative. A held positive is thus trained beside the negatives of its own period. Once
 * the hold is empty the stream passes through untouched for good. Positives that arrive after the first negative
 * are never held: holding them too would delay every positive by a window. The cost is that for about one window
 * after the first negative the learner sees the held positives and the live ones together, about twice the
 * positive rate, which is much milder than a window of positives alone.
 *
 * <p>At most {@code capacity} positives are held; the next one releases them all (a stream that never settles a
 * negative is trained on as it comes). Held examples are part of the learner's checkpointed state. Not
 * thread-safe.
 */
final class StartBalance implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int capacity;
    private final PriorityQueue<Example> held = new PriorityQueue<>(new ByEventTime());
    private boolean negativeSeen;
    private long frontier = Long.MIN_VALUE;
    private boolean done;

    /** @param capacity the most positives held, at least 1 */
    StartBalance(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Takes the next example of the stream.
     *
     * @return the examples to learn from now, in order: released held positives, then {@code e} unless it is held
     */
    List<Example> offer(Example e) {
        if (done) {
            return List.of(e);
        }
        List<Example> out = new ArrayList<>();
        if (e.label() == 0f) {
            negativeSeen = true;
            frontier = Math.max(frontier, e.eventTime());
            while (!held.isEmpty() && held.peek().eventTime() <= frontier) {
                out.add(held.poll());
            }
            out.add(e);
        } else if (negativeSeen) {
            out.add(e);
        } else if (held.size() < capacity) {
            held.add(e);
        } else {
            releaseAll(out);
            out.add(e);
        }
        done |= negativeSeen && held.isEmpty();
        return out;
    }

    private void releaseAll(List<Example> out) {
        while (!held.isEmpty()) {
            out.add(held.poll());
        }
        done = true;
    }

    /** Oldest event first; a class, not a lambda, so that the queue serializes. */
    private static final class ByEventTime implements Comparator<Example>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Example a, Example b) {
            return Long.compare(a.eventTime(), b.eventTime());
        }
    }

    /** @return positives held back now */
    int held() {
        return held.size();
    }

    /** @return whether the hold is over (every later example passes through) */
    boolean done() {
        return done;
    }
}
