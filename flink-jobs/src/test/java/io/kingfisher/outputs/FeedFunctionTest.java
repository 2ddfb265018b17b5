package io.kingfisher.outputs;

import io.kingfisher.schemas.core.FeedItem;
import io.kingfisher.schemas.core.FeedSource;
import io.kingfisher.schemas.core.FeedUpdate;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.kingfisher.outputs.OutputsTestData.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedFunctionTest {
    private static final long M = 60_000L;

    private static KeyedOneInputStreamOperatorTestHarness<String, Score, FeedUpdate> harness() throws Exception {
        // features: [user_hash, item_hash, position]; the item is column 1; top 3 of the last 5 items
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeedFunction("clicks", 1, 3, 5, Duration.ofDays(1))), Score::getEntity, Types.STRING);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, Score, FeedUpdate> h, String user, int item, double s,
                             long time) throws Exception {
        h.processElement(new StreamRecord<>(score("clicks", user, user + "-" + item + "-" + time, time, s, 42f, item, 1f)));
    }

    private static List<Integer> items(FeedUpdate u) {
        return u.getItems().stream().map(FeedItem::getItemHash).toList();
    }

    @Test
    void eachUsersFeedIsTheirBestScoredItemsWrittenWhenItChanges() throws Exception {
        try (var h = harness()) {
            h.open();
            send(h, "u1", 101, 0.10, M);
            send(h, "u1", 102, 0.50, 2 * M);
            send(h, "u1", 103, 0.30, 3 * M);
            send(h, "u1", 101, 0.05, 4 * M);   // 101 rescored lower: order [102, 103, 101] unchanged, nothing written
            send(h, "u1", 104, 0.90, 5 * M);
            send(h, "u1", 102, 0.01, 6 * M);   // 102 drops out of the top 3

            List<FeedUpdate> out = h.extractOutputValues();
            assertEquals(List.of(List.of(101), List.of(102, 101), List.of(102, 103, 101), List.of(104, 102, 103),
                    List.of(104, 103, 101)), out.stream().map(FeedFunctionTest::items).toList());
            FeedUpdate last = out.get(out.size() - 1);
            assertEquals("u1", last.getEntity());
            assertEquals("clicks", last.getDomain());
            assertEquals(6 * M, last.getEventTime());
            assertEquals(3L, last.getModelVersion());
            assertEquals(0.9, last.getItems().get(0).getScore(), 1e-6);
            assertEquals(FeedSource.SCORED, last.getItems().get(0).getSource());
            assertEquals(1, h.numKeyedStateEntries());
        }
    }

    @Test
    void popularItemsFillAFeedTheUserHasNotBeenScoredForYet() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 20; i++) {
                send(h, "other" + i, 900, 0.70, M);   // item 900 is hot and well liked
                send(h, "other" + i, 901, 0.02, M);   // item 901 is shown a lot but rarely clicked
            }
            h.getOutput().clear();
            send(h, "new-user", 5, 0.20, 2 * M);
            List<FeedUpdate> out = h.extractOutputValues();
            assertEquals(1, out.size());
            FeedUpdate u = out.get(0);
            assertEquals(List.of(900, 5, 901), items(u));
            assertEquals(List.of(FeedSource.POPULAR, FeedSource.SCORED, FeedSource.POPULAR),
                    u.getItems().stream().map(FeedItem::getSource).toList());
            assertEquals(0.70, u.getItems().get(0).getScore(), 1e-9, "a popular item ranks on its recent mean score");
        }
    }

    @Test
    void theUsersStateIsAFlinkPojoNotAKryoFallback() {
        assertTrue(TypeInformation.of(UserItems.class) instanceof PojoTypeInfo, TypeInformation.of(UserItems.class).toString());
    }

    @Test
    void scoresWithoutAnItemAreSkippedAndTheStateSurvivesARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(score("clicks", "u1", "bad", M, 0.5, 42f, Float.NaN, 1f)));
            h.processElement(new StreamRecord<>(score("clicks", "u1", "short", M, 0.5, 42f)));
            assertEquals(0, h.extractOutputValues().size());
            send(h, "u1", 7, 0.4, M);
            send(h, "u1", 8, 0.6, 2 * M);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            send(restored, "u1", 8, 0.6, 3 * M);   // same feed as before the restore: nothing written
            assertEquals(0, restored.extractOutputValues().size());
            send(restored, "u1", 9, 0.5, 4 * M);
            assertEquals(List.of(List.of(8, 9, 7)), restored.extractOutputValues().stream().map(FeedFunctionTest::items).toList());
        }
    }
}
