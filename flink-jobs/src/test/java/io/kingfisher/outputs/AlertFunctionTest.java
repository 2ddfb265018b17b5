package io.kingfisher.outputs;

import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.AlertState;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kingfisher.outputs.OutputsTestData.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertFunctionTest {
    private static final List<String> NAMES = List.of("heart_rate", "spo2");

    private static KeyedOneInputStreamOperatorTestHarness<String, Score, Alert> harness(AlertRule rule) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertFunction("clinical", rule, NAMES)), Score::getEntity, Types.STRING);
        h.open();
        return h;
    }

    private static void send(OneInputStreamOperatorTestHarness<Score, Alert> h, String entity, String id, double s)
            throws Exception {
        h.processElement(new StreamRecord<>(score("clinical", entity, id, 1000L + id.hashCode() % 100, s, 80f, 96f)));
    }

    private static List<Alert> alerts(OneInputStreamOperatorTestHarness<Score, Alert> h) {
        return h.extractOutputValues();
    }

    @Test
    void hysteresisRaisesOnceAndClearsOnlyBelowTheClearThresholdPerEntity() throws Exception {
        try (var h = harness(new AlertRule(0.2, 0.1))) {
            send(h, "p1", "e1", 0.05);
            send(h, "p1", "e2", 0.25);  // raise
            send(h, "p2", "e3", 0.30);  // another patient: raise of its own
            send(h, "p1", "e4", 0.15);  // between: stays open
            send(h, "p1", "e5", 0.90);  // still open: no second alert
            assertEquals(2, h.numKeyedStateEntries(), "only entities in alert hold state");
            send(h, "p1", "e6", 0.09);  // clear
            send(h, "p1", "e7", 0.19);
            send(h, "p1", "e8", 0.21);  // raise again

            List<Alert> out = alerts(h);
            assertEquals(4, out.size(), out.toString());
            assertAlert(out.get(0), "clinical:e2", "p1", "e2", AlertState.RAISED, 0.2);
            assertAlert(out.get(1), "clinical:e3", "p2", "e3", AlertState.RAISED, 0.2);
            assertAlert(out.get(2), "clinical:e2", "p1", "e6", AlertState.CLEARED, 0.1);
            assertAlert(out.get(3), "clinical:e8", "p1", "e8", AlertState.RAISED, 0.2);
            assertEquals(0.09, out.get(2).getScore());
            assertEquals(3L, out.get(0).getModelVersion());
            assertEquals(2, h.numKeyedStateEntries(), "p1 open again, p2 still open");
        }
    }

    @Test
    void anOpenAlertSurvivesACheckpointAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        AlertRule rule = new AlertRule(0.2, 0.1);
        try (var h = harness(rule)) {
            send(h, "p1", "e1", 0.5);
            snapshot = h.snapshot(1L, 1L);
        }
        var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AlertFunction("clinical", rule, NAMES)), Score::getEntity, Types.STRING);
        try (restored) {
            restored.initializeState(snapshot);
            restored.open();
            send(restored, "p1", "e2", 0.6);
            send(restored, "p1", "e3", 0.01);
            List<Alert> out = alerts(restored);
            assertEquals(1, out.size(), "no second raise after the restore: " + out);
            assertAlert(out.get(0), "clinical:e1", "p1", "e3", AlertState.CLEARED, 0.1);
            assertEquals(0, restored.numKeyedStateEntries());
        }
    }

    @Test
    void withoutHysteresisEachHighScoreIsItsOwnAlertUnkeyed() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new EventAlertFunction("clinical", new AlertRule(0.5, 0.5), NAMES)))) {
            h.open();
            send(h, "card", "t1", 0.6);
            send(h, "card", "t2", 0.7);
            send(h, "card", "t3", 0.4);
            send(h, "card", "t4", 0.55);
            List<Alert> out = alerts(h);
            assertEquals(List.of("clinical:t1", "clinical:t2", "clinical:t4"), out.stream().map(Alert::getAlertId).toList());
            assertTrue(out.stream().allMatch(a -> a.getState() == AlertState.RAISED));
        }
    }

    @Test
    void eachRuleGoesToTheFunctionThatKeepsWhatItNeeds() {
        var withoutHysteresis = new AlertRule(0.5, 0.5);
        var withHysteresis = new AlertRule(0.2, 0.1);
        var e = assertThrows(IllegalArgumentException.class, () -> new AlertFunction("fraud", withoutHysteresis, NAMES));
        assertTrue(e.getMessage().contains("EventAlertFunction"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EventAlertFunction("clinical", withHysteresis, NAMES));
        assertTrue(e.getMessage().contains("keyed by entity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EventAlertFunction("fraud", withoutHysteresis, List.of()));
    }

    @Test
    void aRaisedAlertNamesTheFeaturesFurthestFromTheAverage() {
        Alerting alerting = new Alerting.Spec("clinical", new AlertRule(0.5, 0.5), NAMES).create();
        for (int i = 0; i < FeatureStats.MIN_COUNT; i++) {
            assertNull(alerting.onScore(score("clinical", "p" + i % 7, "n" + i, i, 0.01, 70f + i % 10, 97f - i % 3), null));
        }
        Alert a = alerting.onScore(score("clinical", "p1", "bad", 5000L, 0.8, 140f, 96f), null);
        assertEquals(AlertState.RAISED, a.getState());
        assertEquals(1, a.getReasons().size(), "spo2 is ordinary: " + a.getReasons());
        assertEquals("heart_rate", a.getReasons().get(0).getFeature());
        assertEquals(140.0, a.getReasons().get(0).getValue());
        assertTrue(a.getReasons().get(0).getContribution() > 10, "z of heart_rate: " + a.getReasons());
    }

    private static void assertAlert(Alert a, String id, String entity, String event, AlertState state, double threshold) {
        assertEquals(id, a.getAlertId());
        assertEquals("clinical", a.getDomain());
        assertEquals(entity, a.getEntity());
        assertEquals(event, a.getEventId());
        assertEquals(state, a.getState());
        assertEquals(threshold, a.getThreshold());
    }
}
