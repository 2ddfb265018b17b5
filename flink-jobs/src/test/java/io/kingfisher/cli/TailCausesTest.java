package io.kingfisher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TailCausesTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void theTailIsSetAgainstCheckpointsAndGcPausesBesideAllEvents() {
        // 10 s of events, one per ms, 5 ms each; a checkpoint every second for 100 ms; a GC pause at 5 s
        TailCauses t = new TailCauses();
        List<TailCauses.Span> checkpoints = new ArrayList<>();
        for (long s = 0; s < 10; s++) {
            checkpoints.add(new TailCauses.Span(T0 + s * 1000, T0 + s * 1000 + 100));
        }
        List<TailCauses.Span> gc = List.of(new TailCauses.Span(T0 + 5_500, T0 + 5_540));
        for (long ms = 0; ms < 10_000; ms++) {
            long ingest = T0 + ms;
            long latency = ms % 1000 < 50 ? 80 : 5; // the first 50 ms after each trigger wait for the pause
            if (ms >= 5_480 && ms < 5_500) {
                latency = 90; // and these for the collector
            }
            t.record(ingest, ingest + latency);
        }
        // the card stage paused for the first 60 ms of each checkpoint, the scorer for 10 ms after that
        Map<String, List<TailCauses.Span>> tasks = new LinkedHashMap<>();
        for (TailCauses.Span c : checkpoints) {
            tasks.computeIfAbsent("features -> sink", k -> new ArrayList<>()).add(new TailCauses.Span(c.from(), c.from() + 60));
            tasks.computeIfAbsent("score", k -> new ArrayList<>()).add(new TailCauses.Span(c.from() + 200, c.from() + 210));
        }
        TailCauses.Tail tail = t.attribute(checkpoints, tasks, gc);
        assertEquals(80, tail.overMs(), "p99 of 10,000 events of which 520 are slow");
        assertEquals(520, tail.events());
        assertEquals(500 / 520.0, tail.checkpoint().tail(), 1e-9);
        assertEquals(20 / 520.0, tail.gc().tail(), 1e-9);
        assertEquals(0, tail.neither().tail(), 1e-9);
        // all events: those ingested in [trigger - 5, trigger + 100] (and the slow ones reaching into it)
        assertTrue(tail.checkpoint().all() > 0.10 && tail.checkpoint().all() < 0.12, "" + tail.checkpoint().all());
        assertEquals(0.1, tail.checkpointTime(), 0.002);
        assertEquals(0.004, tail.gcTime(), 0.0005);
        assertEquals(500 / 520.0, tail.checkpointTasks().get("features -> sink").tail(), 1e-9);
        assertEquals(0, tail.checkpointTasks().get("score").tail(), 1e-9);
        assertTrue(tail.checkpointTasks().get("score").all() > 0.01, "fast events in flight meanwhile");
        assertTrue(tail.toText().contains("96% overlapped a checkpoint"), tail.toText());
        assertTrue(tail.toText().contains("paused for it: features 96% (all "), tail.toText());
        assertFalse(tail.toText().contains("score 0"), "tasks under 5% of the tail are left to the JSON: " + tail.toText());
    }

    @Test
    void eventsOutOfIngestionOrderKeepTheirTimes() {
        TailCauses t = new TailCauses();
        t.record(T0 + 1_000, T0 + 1_005);
        t.record(T0, T0 + 300); // ingested before the first one recorded
        t.record(T0 + 100, T0 + 400);
        for (int i = 0; i < 97; i++) {
            t.record(T0 + 2_000 + i, T0 + 2_005 + i);
        }
        TailCauses.Tail tail = t.attribute(List.of(new TailCauses.Span(T0 + 200, T0 + 250)), Map.of(), List.of());
        assertEquals(300, tail.overMs());
        assertEquals(2, tail.events());
        assertEquals(1.0, tail.checkpoint().tail());
        assertEquals(0.02, tail.checkpoint().all(), 1e-9);
    }

    @Test
    void noEventsNoTail() {
        assertNull(new TailCauses().attribute(List.of(), Map.of(), List.of()));
    }

    @Test
    void overlappingSpansAreMergedAndSearched() {
        TailCauses.Span[] s = TailCauses.disjoint(List.of(new TailCauses.Span(50, 60), new TailCauses.Span(10, 20),
                new TailCauses.Span(15, 30)));
        assertEquals(2, s.length);
        assertEquals(new TailCauses.Span(10, 30), s[0]);
        assertTrue(TailCauses.overlaps(s, 30, 40), "touching the end");
        assertTrue(TailCauses.overlaps(s, 0, 10), "touching the start");
        assertTrue(TailCauses.overlaps(s, 0, 100), "covering all");
        assertFalse(TailCauses.overlaps(s, 31, 49), "between");
        assertFalse(TailCauses.overlaps(s, 61, 70), "after");
        assertFalse(TailCauses.overlaps(new TailCauses.Span[0], 0, 1));
    }

    @Test
    void inTheSummarysJson() throws Exception {
        TailCauses t = new TailCauses();
        t.record(T0, T0 + 10);
        DemoSummary s = new DemoSummary("fraud", 60, 10, 1, 0, 1, 0, 0, 0, 0, 1.0,
                new DemoSummary.Latency(10, 10, 10), new DemoSummary.Latency(10, 10, 10), 1, List.of(1L), Map.of(),
                false, null, null, t.attribute(List.of(new TailCauses.Span(T0 + 5, T0 + 6)), Map.of(), List.of()), null);
        JsonNode j = new ObjectMapper().readTree(s.toJson());
        assertEquals(10.0, j.at("/tail/over_ms").asDouble());
        assertEquals(1.0, j.at("/tail/checkpoint/tail").asDouble());
        assertEquals(0.0, j.at("/tail/gc/all").asDouble());
        assertTrue(s.toText().contains("\ntail           the slowest 1%"), s.toText());
    }

    @Test
    void gcPausesOfThisJvmAreHeard() throws Exception {
        long from = System.currentTimeMillis();
        try (GcPauses gc = GcPauses.listen()) {
            for (int i = 0; i < 50 && gc.between(from, Long.MAX_VALUE).isEmpty(); i++) {
                System.gc(); // a full collection: a pause, reported a little after it ends
                Thread.sleep(100);
            }
            List<TailCauses.Span> pauses = gc.between(from, Long.MAX_VALUE);
            assertFalse(pauses.isEmpty(), "no collection reported");
            assertTrue(pauses.get(0).from() >= from - 1_000, "wall-clock times: " + pauses.get(0) + " from " + from);
            assertTrue(pauses.get(0).to() <= System.currentTimeMillis() + 1_000);
        }
    }
}
