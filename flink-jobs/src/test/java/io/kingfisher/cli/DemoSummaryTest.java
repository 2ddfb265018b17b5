package io.kingfisher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoSummaryTest {
    @Test
    void jsonHasTheDocumentedKeys() throws Exception {
        DemoSummary s = new DemoSummary("fraud", 60, 10, 59_880, 120, 59_880, 120, 0, 0, 0, 998.0,
                new DemoSummary.Latency(4, 21, 40), new DemoSummary.Latency(260, 540, 700), 35.2, List.of(1L),
                Map.of("TRUNCATED_AVRO", 20L), false, null, null, null, null);
        JsonNode j = new ObjectMapper().readTree(s.toJson());
        assertFalse(j.has("prequential"), "no learning keys without the learning job");
        assertFalse(j.get("drain_timed_out").asBoolean());
        assertFalse(s.toText().contains("not drained"));
        for (String k : List.of("events_in", "scores_out", "dlq", "duplicates", "missing", "throughput_eps", "model_versions")) {
            assertTrue(j.has(k), k);
        }
        assertEquals(21.0, j.at("/latency_ms/p99").asDouble());
        assertEquals(4.0, j.at("/latency_ms/p50").asDouble());
        assertEquals(1, j.get("model_versions").get(0).asInt());
        assertFalse(s.toText().isBlank());
    }

    @Test
    void learningKeysAsDocumented() throws Exception {
        LearningTracker.Learning learning = new LearningTracker.Learning(
                new LearningTracker.Metrics(0.91, 0.05, 0.90, 1000, 400, 12),
                new LearningTracker.Metrics(0.88, 0.07, 0.81, 1000, 400, 12),
                "2026-01-05T00:00:00Z", "page-hinkley: loss rose", new LearningTracker.Snapshots(9, 2, 0, Map.of("log loss # > champion", 2L)),
                new LearningTracker.Freshness(900, 2100, 300, 4, 1500, 700, 200, 800, 1200, 250));
        DemoSummary s = new DemoSummary("fraud", 60, 10, 59_880, 120, 59_880, 120, 0, 0, 0, 998.0,
                new DemoSummary.Latency(4, 21, 40), new DemoSummary.Latency(260, 540, 700), 35.2, List.of(1L, 2L),
                Map.of(), false, null, null, null, learning);
        JsonNode j = new ObjectMapper().readTree(s.toJson());
        assertEquals(0.91, j.at("/prequential/auc").asDouble());
        assertEquals(0.05, j.at("/prequential/logloss").asDouble());
        assertEquals(0.88, j.at("/frozen/auc").asDouble());
        assertEquals(0.81, j.at("/frozen/auc_after_drift").asDouble());
        assertEquals("2026-01-05T00:00:00Z", j.get("drift_detected_at").asText());
        assertEquals(9, j.at("/snapshots/published").asInt());
        assertEquals(2, j.at("/snapshots/refused").asInt());
        assertEquals(900.0, j.at("/freshness_ms/p50").asDouble());
        assertEquals(2100.0, j.at("/freshness_ms/p99").asDouble());
        assertEquals(1200.0, j.at("/freshness_ms/steady_p99").asDouble());
        assertEquals(250, j.at("/freshness_ms/steady_labels").asInt());
        assertFalse(j.has("learning"));
        assertTrue(s.toText().contains("freshness"));
    }

    @Test
    void aRunThatPublishedNothingSaysWhy() {
        LearningTracker.Metrics m = new LearningTracker.Metrics(0.99, 0.02, Double.NaN, 500, 0, 3);
        LearningTracker.Freshness f = new LearningTracker.Freshness(Double.NaN, Double.NaN, 0, 37, 50_000, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, 0);
        String refused = new LearningTracker.Learning(m, m, null, null,
                new LearningTracker.Snapshots(0, 8, 0, Map.of("log loss", 8L)), f).toText();
        assertTrue(refused.contains("no new version was published, the gate refused every candidate (8; the reasons are above)"), refused);
        assertTrue(refused.contains("--time-scale and --drift"), refused);
        String undecided = new LearningTracker.Learning(m, m, null, null,
                new LearningTracker.Snapshots(0, 0, 0, Map.of()), f).toText();
        assertTrue(undecided.contains("had not yet seen the examples the gate asks for"), undecided);
        String published = new LearningTracker.Learning(m, m, null, null,
                new LearningTracker.Snapshots(3, 8, 0, Map.of()), f).toText();
        assertFalse(published.contains("no new version"), published);
    }

    @Test
    void labelsNoServingModelTrainedOnAreCountedWithHowLongTheyWaited() {
        LearningTracker t = new LearningTracker(null, Long.MAX_VALUE);
        t.labelSent(1_000);
        t.labelSent(2_000);
        t.labelSent(5_000);
        t.labelSent(6_000);
        t.learning(published(2, 2_500, 2_000));
        t.scored(1, 500);
        t.scored(2, 3_000);
        t.scored(2, 9_000); // the last score seen: labels 3 and 4 waited at least until then
        LearningTracker.Freshness f = t.summary().freshness();
        assertEquals(2, f.labels());
        assertEquals(2, f.pending());
        assertEquals(4_000.0, f.oldestPending(), "the label sent at 5 s still waited at 9 s");
        assertEquals(2_000.0, f.p99());
        assertTrue(t.summary().toText().contains("2 not yet in a serving model, waiting up to 4.0 s"), t.summary().toText());
    }

    @Test
    void theSteadyFiguresLeaveOutLabelsSentBeforeAPublishedVersionServed() {
        LearningTracker t = new LearningTracker(null, Long.MAX_VALUE);
        t.labelSent(1_000);  // cold start: waits for the first decision
        t.labelSent(9_500);  // after v2 served at 9 s
        t.labelSent(10_000);
        t.learning(published(2, 8_800, 1_000));
        t.learning(published(3, 10_600, 10_000));
        t.scored(1, 500);
        t.scored(2, 9_000);
        t.scored(3, 11_000);
        LearningTracker.Freshness f = t.summary().freshness();
        assertEquals(3, f.labels());
        assertEquals(8_000.0, f.p99(), "the cold-start label waited 8 s");
        assertEquals(2, f.steadyLabels());
        assertEquals(1_500.0, f.steadyP99(), "served by v3 at 11 s");
        assertEquals(1_000.0, f.steadyP50());
        assertTrue(t.summary().toText().contains("once a published version served: p50 1000 ms, p99 1500 ms (2 labels)"),
                t.summary().toText());
    }

    private static io.kingfisher.schemas.core.LearningEvent published(long version, long at, double trainedThrough) {
        return io.kingfisher.schemas.core.LearningEvent.newBuilder().setDomain("fraud").setTime(at)
                .setEventTime(0).setKind(io.kingfisher.schemas.core.LearningEventKind.PUBLISHED).setVersion(version)
                .setReason("ok").setMetrics(Map.of("trained_through_label_ingest_ms", trainedThrough)).build();
    }

    @Test
    void eventsStillArrivingAtTheDrainTimeoutAreNotCalledLost() throws Exception {
        DemoSummary s = new DemoSummary("fraud", 20, 60, 10_000_000, 20_000, 6_600_000, 20_000, 0, 3_400_000, 0, 45_000,
                new DemoSummary.Latency(48_000, 59_000, 60_000), new DemoSummary.Latency(48_000, 59_000, 60_000), 19.9,
                List.of(1L), Map.of(), true, null, null, null, null);
        assertTrue(new ObjectMapper().readTree(s.toJson()).get("drain_timed_out").asBoolean());
        assertTrue(s.toText().contains("the 3,400,000 missing were not yet scored"), s.toText());
    }

    @Test
    void latencyPercentilesAndIdLogs() {
        LatencyRecorder r = new LatencyRecorder();
        for (int i = 1; i <= 100; i++) {
            r.record(i);
        }
        assertEquals(50.0, r.percentile(50));
        assertEquals(99.0, r.percentile(99));
        IdLog sent = new IdLog();
        IdLog scored = new IdLog();
        for (int i = 0; i < 100_000; i++) {
            sent.add(IdLog.hash("tx-" + i));
            if (i % 1000 != 7) { // 100 never scored
                scored.add(IdLog.hash("tx-" + i));
            }
        }
        scored.add(IdLog.hash("tx-8")); // scored twice
        scored.add(IdLog.hash("tx-8")); // and thrice
        scored.add(IdLog.hash("tx-99999"));
        scored.add(IdLog.hash("not-sent"));
        scored.add(IdLog.hash("not-sent")); // an unexpected id, twice
        sent.add(IdLog.hash("tx-5")); // sent twice, scored once: neither missing nor a duplicate
        assertEquals(100_001, sent.size());
        assertEquals(new IdLog.Reconciled(100, 4, 1), IdLog.reconcile(sent, scored));
        assertEquals(new IdLog.Reconciled(0, 0, 0), IdLog.reconcile(new IdLog(), new IdLog()));
        assertEquals(new IdLog.Reconciled(100_000, 0, 0), IdLog.reconcile(sent, new IdLog()));
    }
}
