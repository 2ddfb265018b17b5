package io.kingfisher.outputs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Ranks a user's top-K items from what the scorer already computed; plain Java.
 *
 * <p><b>Candidates.</b> The items the model scored for this user most recently (the last {@code historySize} distinct
 * items, each with its latest score: the model's own estimate of this user clicking that item), and the
 * {@code feedSize} most popular items of the recent past that are not among them ({@link RecentPopularity}), each
 * with its recent mean score over all users, a non-personal estimate on the same probability scale.
 *
 * <p><b>Ranking.</b> By score, highest first; on equal scores a personally scored item comes before a popular one,
 * then the lower item hash. The top {@code feedSize} are the feed.
 *
 * <p><b>What it does not do.</b> It does not ask the model to score popular items for this user (the feed runs
 * behind the scorer, which scores only the impressions that happen), so a popular item enters a user's feed on its
 * average score and gets a personal score only once it is shown to the user. It knows nothing of clicks (labels
 * arrive later, in another job), so an item already clicked can stay in the feed until it ages out of the history.
 */
public final class FeedRanker {
    private final int feedSize;
    private final int historySize;

    /**
     * One ranked item.
     *
     * @param item   the item's id hash
     * @param score  its ranking score
     * @param scored true when the model scored it for this user, false for a popular candidate
     */
    public record Ranked(int item, double score, boolean scored) {
    }

    /**
     * @param feedSize    items in the feed, {@code >= 1}
     * @param historySize items remembered per user, {@code >= feedSize}
     */
    public FeedRanker(int feedSize, int historySize) {
        if (feedSize < 1 || historySize < feedSize) {
            throw new IllegalArgumentException("need feedSize >= 1 and historySize >= feedSize, were " + feedSize + " and " + historySize);
        }
        this.feedSize = feedSize;
        this.historySize = historySize;
    }

    public int feedSize() {
        return feedSize;
    }

    public int historySize() {
        return historySize;
    }

    /**
     * Records the model's newest score of an item for the user: replaces the item's older score, or adds the item,
     * forgetting the item scored longest ago when the history is full.
     */
    public void record(UserItems u, int item, float score, long time) {
        for (int i = 0; i < u.items.length; i++) {
            if (u.items[i] == item) {
                if (time >= u.times[i]) {
                    u.scores[i] = score;
                    u.times[i] = time;
                }
                return;
            }
        }
        if (u.items.length < historySize) {
            int n = u.items.length;
            u.items = java.util.Arrays.copyOf(u.items, n + 1);
            u.scores = java.util.Arrays.copyOf(u.scores, n + 1);
            u.times = java.util.Arrays.copyOf(u.times, n + 1);
            u.items[n] = item;
            u.scores[n] = score;
            u.times[n] = time;
            return;
        }
        int oldest = 0;
        for (int i = 1; i < u.times.length; i++) {
            if (u.times[i] < u.times[oldest]) {
                oldest = i;
            }
        }
        if (time < u.times[oldest]) {
            return; // older than everything remembered
        }
        u.items[oldest] = item;
        u.scores[oldest] = score;
        u.times[oldest] = time;
    }

    /**
     * @param u       the user's state
     * @param popular the most popular items, e.g. {@link RecentPopularity#top}({@link #feedSize()})
     * @return the feed, best first, at most {@link #feedSize()} items
     */
    public List<Ranked> rank(UserItems u, List<RecentPopularity.Candidate> popular) {
        List<Ranked> all = new ArrayList<>(u.items.length + popular.size());
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < u.items.length; i++) {
            all.add(new Ranked(u.items[i], u.scores[i], true));
            seen.add(u.items[i]);
        }
        for (RecentPopularity.Candidate c : popular) {
            if (seen.add(c.item())) {
                all.add(new Ranked(c.item(), c.meanScore(), false));
            }
        }
        all.sort(Comparator.comparingDouble(Ranked::score).reversed()
                .thenComparing(Ranked::scored, Comparator.reverseOrder())
                .thenComparingInt(Ranked::item));
        return all.size() <= feedSize ? all : List.copyOf(all.subList(0, feedSize));
    }

    /** @return the feed's items, in order */
    public static int[] items(List<Ranked> feed) {
        int[] items = new int[feed.size()];
        for (int i = 0; i < items.length; i++) {
            items[i] = feed.get(i).item();
        }
        return items;
    }
}
