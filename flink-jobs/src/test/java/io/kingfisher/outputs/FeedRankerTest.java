package io.kingfisher.outputs;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedRankerTest {
    private static final long H = 3_600_000L;

    @Test
    void theHistoryKeepsEachItemsLatestScoreAndForgetsTheOldestItem() {
        FeedRanker r = new FeedRanker(2, 3);
        UserItems u = new UserItems();
        r.record(u, 1, 0.1f, 10);
        r.record(u, 2, 0.2f, 20);
        r.record(u, 3, 0.3f, 30);
        r.record(u, 2, 0.9f, 40);      // rescored
        r.record(u, 1, 0.5f, 5);       // an older score of a known item is ignored
        assertArrayEquals(new int[] {1, 2, 3}, u.items);
        assertEquals(0.9f, u.scores[1]);
        assertEquals(0.1f, u.scores[0]);
        r.record(u, 4, 0.4f, 50);      // full: item 1 (scored longest ago) goes
        assertArrayEquals(new int[] {4, 2, 3}, u.items);
        r.record(u, 5, 0.4f, 1);       // older than everything remembered
        assertArrayEquals(new int[] {4, 2, 3}, u.items);
    }

    @Test
    void personalScoresAndPopularItemsAreRankedTogether() {
        FeedRanker r = new FeedRanker(3, 10);
        UserItems u = new UserItems();
        r.record(u, 10, 0.30f, 1);
        r.record(u, 11, 0.05f, 2);
        r.record(u, 12, 0.60f, 3);
        List<RecentPopularity.Candidate> popular = List.of(
                new RecentPopularity.Candidate(12, 50, 0.9),   // already scored for the user: the personal score counts
                new RecentPopularity.Candidate(20, 40, 0.45),
                new RecentPopularity.Candidate(21, 30, 0.01));
        List<FeedRanker.Ranked> feed = r.rank(u, popular);
        assertEquals(List.of(new FeedRanker.Ranked(12, 0.6f, true), new FeedRanker.Ranked(20, 0.45, false),
                new FeedRanker.Ranked(10, 0.3f, true)), feed);
        assertArrayEquals(new int[] {12, 20, 10}, FeedRanker.items(feed));
        // equal scores: the personal one first, then the lower hash
        UserItems tie = new UserItems();
        r.record(tie, 7, 0.5f, 1);
        r.record(tie, 3, 0.5f, 1);
        assertEquals(List.of(3, 7, 9), r.rank(tie, List.of(new RecentPopularity.Candidate(9, 1, 0.5f)))
                .stream().map(FeedRanker.Ranked::item).toList());
        assertThrows(IllegalArgumentException.class, () -> new FeedRanker(5, 4));
    }

    @Test
    void popularityCountsRecentScoresAndFades() {
        RecentPopularity p = new RecentPopularity(Duration.ofHours(1), 1000);
        for (int i = 0; i < 10; i++) {
            p.observe(1, 0.2, 0);
        }
        for (int i = 0; i < 4; i++) {
            p.observe(2, 0.6, 0);
        }
        List<RecentPopularity.Candidate> top = p.top(2);
        assertEquals(List.of(1, 2), top.stream().map(RecentPopularity.Candidate::item).toList());
        assertEquals(10, top.get(0).popularity(), 1e-9);
        assertEquals(0.2, top.get(0).meanScore(), 1e-9);
        // Three hours on, item 1 has faded to 10/8 and item 3, seen twice now, leads.
        p.observe(3, 0.4, 3 * H);
        p.observe(3, 0.5, 3 * H);
        top = p.top(3);
        assertEquals(3, top.get(0).item());
        assertEquals(0.45, top.get(0).meanScore(), 1e-9);
        assertEquals(10 / 8.0, top.get(1).popularity(), 1e-9);
        // Forgotten once faded below the floor.
        p.observe(4, 0.1, 20 * H);
        assertEquals(List.of(4), p.top(5).stream().map(RecentPopularity.Candidate::item).toList());
        assertEquals(1, p.size());
    }

    @Test
    void popularityMemoryIsBounded() {
        RecentPopularity p = new RecentPopularity(Duration.ofHours(1), 100);
        for (int i = 0; i < 1000; i++) {
            p.observe(i, 0.5, i);
            p.observe(7, 0.5, i);
        }
        assertTrue(p.size() <= 100, "remembered " + p.size());
        assertEquals(7, p.top(1).get(0).item(), "the steady favourite survives the pruning");
        assertFalse(p.top(10).isEmpty());
    }
}
