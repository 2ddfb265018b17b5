package io.kingfisher.outputs;

import io.kingfisher.schemas.core.FeedItem;
import io.kingfisher.schemas.core.FeedSource;
import io.kingfisher.schemas.core.FeedUpdate;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores keyed by user in, {@link FeedUpdate}s out: each score records the model's score of (user, item), the item
 * read from feature column {@code itemColumn} (an {@link io.kingfisher.scoring.IdHash} as the features carry it);
 * then the user's feed is ranked again ({@link FeedRanker}) and written when its items or their order changed.
 * Scores whose item column is not a finite number are skipped.
 *
 * <p><b>State</b>: keyed value state {@code user-items} ({@link UserItems}: the user's recently scored items and the
 * feed last written), with a time-to-live refreshed on every write: a user idle that long is forgotten, as the
 * feature state is. The recent popularity of items ({@link RecentPopularity}) is per subtask, over the users of that
 * subtask, and not checkpointed: after a restart the popular candidates come back as scores flow.
 *
 * <p>Metrics: {@code feedUpdates}, {@code feedSkipped} (no item in the features).
 */
public final class FeedFunction extends KeyedProcessFunction<String, Score, FeedUpdate> {
    private static final long serialVersionUID = 1L;
    /** How fast item popularity fades, in event time. */
    public static final Duration POPULARITY_HALF_LIFE = Duration.ofHours(1);
    /** Most items a subtask's popularity remembers. */
    public static final int POPULARITY_MAX_ITEMS = 100_000;

    private final String domain;
    private final int itemColumn;
    private final int feedSize;
    private final int historySize;
    private final Duration stateTtl;

    private transient ValueState<UserItems> state;
    private transient FeedRanker ranker;
    private transient RecentPopularity popularity;
    private transient Counter updates;
    private transient Counter skipped;

    /**
     * @param domain      the domain, for the update's fields
     * @param itemColumn  the feature column holding the item's id hash
     * @param feedSize    items per feed
     * @param historySize items remembered per user, {@code >= feedSize}
     * @param stateTtl    how long an idle user's state lives
     */
    public FeedFunction(String domain, int itemColumn, int feedSize, int historySize, Duration stateTtl) {
        if (itemColumn < 0) {
            throw new IllegalArgumentException("itemColumn must be >= 0, was " + itemColumn);
        }
        new FeedRanker(feedSize, historySize); // validates
        if (stateTtl == null || stateTtl.isNegative() || stateTtl.isZero()) {
            throw new IllegalArgumentException("the feed's state TTL must be positive, was " + stateTtl);
        }
        this.domain = domain;
        this.itemColumn = itemColumn;
        this.feedSize = feedSize;
        this.historySize = historySize;
        this.stateTtl = stateTtl;
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<UserItems> desc = new ValueStateDescriptor<>("user-items", TypeInformation.of(UserItems.class));
        desc.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        state = getRuntimeContext().getState(desc);
        ranker = new FeedRanker(feedSize, historySize);
        popularity = new RecentPopularity(POPULARITY_HALF_LIFE, POPULARITY_MAX_ITEMS);
        updates = getRuntimeContext().getMetricGroup().counter("feedUpdates");
        skipped = getRuntimeContext().getMetricGroup().counter("feedSkipped");
    }

    @Override
    public void processElement(Score s, Context ctx, Collector<FeedUpdate> out) throws Exception {
        List<Float> features = s.getFeatures();
        Float value = itemColumn < features.size() ? features.get(itemColumn) : null;
        if (value == null || !Float.isFinite(value) || !Double.isFinite(s.getScore())) {
            skipped.inc();
            return;
        }
        int item = (int) value.floatValue();
        UserItems u = state.value();
        if (u == null) {
            u = new UserItems();
        }
        ranker.record(u, item, (float) s.getScore(), s.getEventTime());
        popularity.observe(item, s.getScore(), s.getEventTime());
        List<FeedRanker.Ranked> feed = ranker.rank(u, popularity.top(feedSize));
        int[] items = FeedRanker.items(feed);
        if (!Arrays.equals(items, u.written)) {
            u.written = items;
            out.collect(update(s, feed));
            updates.inc();
        }
        state.update(u);
    }

    private FeedUpdate update(Score s, List<FeedRanker.Ranked> feed) {
        List<FeedItem> items = new ArrayList<>(feed.size());
        for (FeedRanker.Ranked r : feed) {
            items.add(new FeedItem(r.item(), r.score(), r.scored() ? FeedSource.SCORED : FeedSource.POPULAR));
        }
        return FeedUpdate.newBuilder()
                .setDomain(domain)
                .setEntity(s.getEntity())
                .setEventId(s.getEventId())
                .setEventTime(s.getEventTime())
                .setModelVersion(s.getModelVersion())
                .setItems(items)
                .build();
    }
}
