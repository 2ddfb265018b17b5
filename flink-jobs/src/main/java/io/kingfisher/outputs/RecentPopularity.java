package io.kingfisher.outputs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Which items were scored most in the recent past, and their recent mean score: every score of an item adds 1 to
 * its count and the score to its sum, and both decay by half every {@code halfLife} of event time. The most popular
 * items are the feed's candidates for a user the model has not yet scored them for; their mean score (the decayed
 * sum over the decayed count: how likely an average user was to click them lately) is what ranks them.
 *
 * <p>The top list is recomputed every {@value #REFRESH_EVERY} observations, and when asked for more items than it
 * holds while more are known (so a young list fills at once); items whose decayed count fell below {@value #FORGET_BELOW} are forgotten then, and beyond
 * {@code maxItems} the least popular are, so memory stays bounded. "Now" is the latest event time observed. Not
 * thread-safe.
 */
public final class RecentPopularity {
    /** Observations between recomputations of the top list. */
    public static final int REFRESH_EVERY = 256;
    /** Decayed counts below this are forgotten. */
    public static final double FORGET_BELOW = 0.01;

    private final double halfLifeMs;
    private final int maxItems;
    private final Map<Integer, Entry> items = new HashMap<>();
    private long now = Long.MIN_VALUE;
    private int sinceRefresh;
    private List<Candidate> top = List.of();
    private int topSize = -1;

    /** An item's decayed count and sum, as of {@code time}. */
    private static final class Entry {
        double count;
        double sum;
        long time;
    }

    /**
     * A popular item.
     *
     * @param item       the item's id hash
     * @param popularity its decayed count as of the latest event time
     * @param meanScore  its decayed mean score
     */
    public record Candidate(int item, double popularity, double meanScore) {
    }

    /**
     * @param halfLife how fast popularity fades, in event time
     * @param maxItems most items remembered, {@code >= 1}
     */
    public RecentPopularity(Duration halfLife, int maxItems) {
        if (halfLife == null || halfLife.isNegative() || halfLife.isZero()) {
            throw new IllegalArgumentException("the popularity half-life must be positive, was " + halfLife);
        }
        if (maxItems < 1) {
            throw new IllegalArgumentException("maxItems must be >= 1, was " + maxItems);
        }
        this.halfLifeMs = halfLife.toMillis();
        this.maxItems = maxItems;
    }

    /**
     * @param item  the item's id hash
     * @param score the score it got, finite
     * @param time  the event time, epoch ms
     */
    public void observe(int item, double score, long time) {
        if (!Double.isFinite(score)) {
            return;
        }
        now = Math.max(now, time);
        Entry e = items.computeIfAbsent(item, k -> new Entry());
        if (e.count > 0) {
            double f = decay(time - e.time);
            e.count *= f;
            e.sum *= f;
        }
        e.count += 1;
        e.sum += score;
        e.time = Math.max(e.time, time);
        if (++sinceRefresh >= REFRESH_EVERY || items.size() > maxItems) {
            refresh(Math.max(topSize, 0));
        }
    }

    /**
     * @param k how many
     * @return up to {@code k} of the most popular items, most popular first, as of the last refresh
     */
    public List<Candidate> top(int k) {
        if (k > topSize || top.size() < k && items.size() > top.size()) {
            refresh(k);
        }
        return top.size() <= k ? top : top.subList(0, k);
    }

    /** @return items remembered */
    public int size() {
        return items.size();
    }

    private double decay(long ms) {
        return ms <= 0 ? 1.0 : Math.pow(0.5, ms / halfLifeMs);
    }

    private void refresh(int k) {
        sinceRefresh = 0;
        topSize = k;
        PriorityQueue<Candidate> best = new PriorityQueue<>(Comparator.comparingDouble(Candidate::popularity)
                .thenComparing(Candidate::item, Comparator.reverseOrder()));
        List<Candidate> all = items.size() > maxItems ? new ArrayList<>(items.size()) : null;
        for (Iterator<Map.Entry<Integer, Entry>> it = items.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Entry> me = it.next();
            Entry e = me.getValue();
            double f = decay(now - e.time);
            double count = e.count * f;
            if (count < FORGET_BELOW) {
                it.remove();
                continue;
            }
            Candidate c = new Candidate(me.getKey(), count, e.sum / e.count);
            if (all != null) {
                all.add(c);
            }
            if (k > 0) {
                best.add(c);
                if (best.size() > k) {
                    best.poll();
                }
            }
        }
        if (all != null && items.size() > maxItems) {
            all.sort(Comparator.comparingDouble(Candidate::popularity));
            for (int i = 0; i < items.size() - maxItems && i < all.size(); i++) {
                items.remove(all.get(i).item());
            }
        }
        List<Candidate> sorted = new ArrayList<>(best);
        sorted.sort(Comparator.comparingDouble(Candidate::popularity).reversed().thenComparing(Candidate::item));
        top = List.copyOf(sorted);
    }
}
