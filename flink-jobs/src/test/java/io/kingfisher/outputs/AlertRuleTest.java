package io.kingfisher.outputs;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.outputs.AlertRule.Action;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertRuleTest {

    @Test
    void withHysteresisAnAlertClearsOnlyBelowTheClearThreshold() {
        AlertRule rule = AlertRule.of(BuiltInDomains.clinical().outputs()); // raise at 0.2, clear below 0.1
        assertTrue(rule.hysteresis());
        assertEquals(Action.NONE, rule.decide(false, 0.19));
        assertEquals(Action.RAISE, rule.decide(false, 0.2), "at the threshold raises");
        assertEquals(Action.NONE, rule.decide(true, 0.9), "already in alert: no second alert");
        assertEquals(Action.NONE, rule.decide(true, 0.15), "between the thresholds: stays open");
        assertEquals(Action.NONE, rule.decide(true, 0.1), "at the clear threshold: stays open");
        assertEquals(Action.CLEAR, rule.decide(true, 0.0999));
        assertEquals(Action.NONE, rule.decide(true, Double.NaN));
        assertEquals(Action.NONE, rule.decide(false, Double.NaN));
    }

    @Test
    void aScoreWobblingAroundTheAlertThresholdRaisesOnce() {
        AlertRule rule = new AlertRule(0.5, 0.3);
        boolean open = false;
        int raised = 0;
        int cleared = 0;
        for (double s : List.of(0.49, 0.51, 0.48, 0.52, 0.47, 0.53, 0.31, 0.29, 0.51)) {
            Action a = rule.decide(open, s);
            raised += a == Action.RAISE ? 1 : 0;
            cleared += a == Action.CLEAR ? 1 : 0;
            open = a == Action.RAISE || (open && a != Action.CLEAR);
        }
        assertEquals(2, raised, "once for the wobble, once after the clear");
        assertEquals(1, cleared);
    }

    @Test
    void withoutHysteresisEveryScoreAboveTheThresholdIsItsOwnAlert() {
        AlertRule rule = AlertRule.of(BuiltInDomains.fraud().outputs()); // 0.5, no hysteresis
        assertFalse(rule.hysteresis());
        assertEquals(Action.RAISE, rule.decide(false, 0.5));
        assertEquals(Action.RAISE, rule.decide(true, 0.7), "the state is ignored");
        assertEquals(Action.NONE, rule.decide(true, 0.1), "nothing to clear");
    }

    @Test
    void thresholdsAreValidatedNamingTheDomainKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AlertRule(1.0, 0.5));
        assertTrue(e.getMessage().contains("outputs.alert_threshold"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AlertRule(0.5, 0.6));
        assertTrue(e.getMessage().contains("outputs.clear_threshold"), e.getMessage());
    }

    @Test
    void reasonsAreTheMostUnusualFeaturesOnceEnoughEventsWereSeen() {
        FeatureStats stats = new FeatureStats(3);
        List<String> names = List.of("amount", "constant", "hour");
        List<Float> odd = List.of(50f, 1f, 3f);
        for (int i = 0; i < FeatureStats.MIN_COUNT - 1; i++) {
            stats.observe(List.of((float) (10 + i % 5), 1f, (float) (i % 24)));
        }
        assertEquals(List.of(), stats.reasons(odd, names, 3), "too few events to say what is unusual");
        stats.observe(List.of(12f, 1f, 5f));
        List<FeatureStats.Reason> reasons = stats.reasons(odd, names, 3);
        assertEquals("amount", reasons.get(0).feature());
        assertEquals(50.0, reasons.get(0).value());
        assertTrue(reasons.get(0).z() > 20, "amount is far above its average: " + reasons);
        assertTrue(reasons.stream().noneMatch(r -> r.feature().equals("constant")), "a constant feature is never a reason");
        assertTrue(reasons.size() <= 2);
        assertEquals(1, stats.reasons(odd, names, 1).size());
        stats.observe(List.of(Float.NaN, 1f, 2f));
        stats.observe(List.of(1f, 2f));
        assertEquals(FeatureStats.MIN_COUNT, stats.count(), "malformed vectors are skipped");
    }
}
