package io.kingfisher.outputs;

import io.kingfisher.config.Config;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.AlertState;
import io.kingfisher.schemas.core.FeedItem;
import io.kingfisher.schemas.core.FeedUpdate;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.kingfisher.outputs.OutputsTestData.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outputs on a MiniCluster at parallelism 2, keyed across subtasks, as ScoreJob attaches them. */
class OutputsIT {
    private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    /** Collects into {@link #COLLECTED} under a run name: the MiniCluster runs in this JVM. */
    private static final class Collect<T> implements Sink<T> {
        private final String run;

        Collect(String run) {
            this.run = run;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> q = COLLECTED.computeIfAbsent(run, k -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    q.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static StreamExecutionEnvironment env() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        env.setParallelism(2);
        return env;
    }

    @Test
    void clinicalAlertsRaiseAndClearPerPatientAcrossSubtasks() throws Exception {
        Domain clinical = BuiltInDomains.clinical(); // raise at 0.2, clear below 0.1
        int width = clinical.features().width();
        List<Score> scores = new ArrayList<>();
        double[] path = {0.05, 0.3, 0.15, 0.25, 0.08, 0.12, 0.22};   // raise at 1, clear at 4, raise at 6
        for (int p = 0; p < 8; p++) {
            for (int t = 0; t < path.length; t++) {
                scores.add(score("clinical", "patient-" + p, "o" + p + "-" + t, t, path[t], new float[width]));
            }
        }
        StreamExecutionEnvironment env = env();
        DataStream<Score> in = env.fromData(TypeInformation.of(Score.class), scores.toArray(Score[]::new)).setParallelism(1);
        Outputs.attach(clinical, Config.of(Map.of(), List.of()), in, new Outputs.Sinks(new Collect<>("alerts"), null));
        env.execute("outputs-it-alerts");

        Set<String> got = new TreeSet<>();
        for (Object o : COLLECTED.get("alerts")) {
            Alert a = (Alert) o;
            got.add(a.getEntity() + " " + a.getState() + " " + a.getAlertId() + " @" + a.getEventId());
        }
        Set<String> expected = new TreeSet<>();
        for (int p = 0; p < 8; p++) {
            expected.add("patient-" + p + " " + AlertState.RAISED + " clinical:o" + p + "-1 @o" + p + "-1");
            expected.add("patient-" + p + " " + AlertState.CLEARED + " clinical:o" + p + "-1 @o" + p + "-4");
            expected.add("patient-" + p + " " + AlertState.RAISED + " clinical:o" + p + "-6 @o" + p + "-6");
        }
        assertEquals(expected, got);
        assertEquals(24, COLLECTED.get("alerts").size());
    }

    @Test
    void fraudAlertsEveryPaymentAtOrAboveTheThresholdOnceWithoutKeying() throws Exception {
        Domain fraud = BuiltInDomains.fraud(); // no hysteresis: the alerts run unkeyed, after the scores
        double threshold = fraud.outputs().alertThreshold();
        int width = fraud.features().width();
        List<Score> scores = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < 400; i++) {
            double s = (i % 7) / 6.0;
            scores.add(score("fraud", "card-" + i % 13, "tx" + i, i, s, new float[width]));
            if (s >= threshold) {
                expected.add("fraud:tx" + i);
            }
        }
        StreamExecutionEnvironment env = env();
        DataStream<Score> in = env.fromData(TypeInformation.of(Score.class), scores.toArray(Score[]::new)).setParallelism(1)
                .rebalance().map(x -> x).returns(TypeInformation.of(Score.class)); // two "scorer" subtasks
        Outputs.attach(fraud, Config.of(Map.of(), List.of()), in, new Outputs.Sinks(new Collect<>("fraud-alerts"), null));
        env.execute("outputs-it-fraud-alerts");

        List<String> got = COLLECTED.get("fraud-alerts").stream().map(o -> ((Alert) o).getAlertId()).sorted().toList();
        assertEquals(List.copyOf(expected), got, "each payment at or above " + threshold + " once");
        assertTrue(COLLECTED.get("fraud-alerts").stream().allMatch(o -> ((Alert) o).getState() == AlertState.RAISED));
    }

    @Test
    void clicksFeedsRankEachUsersScoredItems() throws Exception {
        Domain clicks = BuiltInDomains.clicks();
        int width = clicks.features().width();
        List<Score> scores = new ArrayList<>();
        for (int u = 0; u < 6; u++) {
            for (int i = 0; i < 12; i++) {
                float[] f = new float[width];
                f[0] = 1000 + u;
                f[1] = 500 + u * 100 + i;       // every user sees their own items: no popular item beats the best own ones
                scores.add(score("clicks", "user-" + u, "imp" + u + "-" + i, i * 1000L, 0.01 * i, f));
            }
        }
        StreamExecutionEnvironment env = env();
        DataStream<Score> in = env.fromData(TypeInformation.of(Score.class), scores.toArray(Score[]::new)).setParallelism(1);
        Outputs.attach(clicks, Config.of(Map.of(), List.of()), in, new Outputs.Sinks(null, new Collect<>("feed")));
        env.execute("outputs-it-feed");

        Map<String, FeedUpdate> last = new ConcurrentHashMap<>();
        for (Object o : COLLECTED.get("feed")) {
            FeedUpdate f = (FeedUpdate) o;
            if (f.getEventId().toString().endsWith("-11")) {
                last.put(f.getEntity(), f);
            }
        }
        assertEquals(6, last.size(), "every user's last impression (the best so far) changed their feed");
        for (int u = 0; u < 6; u++) {
            FeedUpdate f = last.get("user-" + u);
            List<Integer> items = f.getItems().stream().map(FeedItem::getItemHash).toList();
            assertEquals(clicks.outputs().feedSize(), items.size());
            assertEquals(500 + u * 100 + 11, items.get(0), "user " + u + ": " + items);
            assertEquals(500 + u * 100 + 10, items.get(1), "user " + u + ": " + items);
        }
    }
}
