package io.kingfisher.sim;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.fraud.FraudLabel;
import io.kingfisher.schemas.fraud.LabelSource;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FraudSimulatorTest {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    @org.junit.jupiter.api.BeforeAll
    static void oneNd4jThread() {
        io.kingfisher.scoring.Nd4jThreads.configure(1); // steadier on a shared 2-core machine
    }


    @Test
    void sameSeedSameStreamOtherSeedOtherStream() {
        FraudSimulator a = FraudSimulator.withDefaults(5);
        FraudSimulator b = FraudSimulator.withDefaults(5);
        FraudSimulator c = FraudSimulator.withDefaults(6);
        boolean differs = false;
        for (int i = 0; i < 5000; i++) {
            SimulatedEvent x = a.next();
            SimulatedEvent y = b.next();
            assertEquals(x.value(), y.value());
            assertEquals(x.positive(), y.positive());
            differs |= !x.value().equals(c.next().value());
        }
        assertTrue(differs);
    }

    @Test
    void fraudIsWellUnderOnePercentAndTimeNeverGoesBack() {
        FraudSimulator sim = FraudSimulator.withDefaults(11);
        int n = 200_000;
        int fraud = 0;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            SimulatedEvent e = sim.next();
            fraud += e.positive() ? 1 : 0;
            long t = ((PaymentTransaction) e.value()).getEventTime();
            assertTrue(t >= last, "event time non-decreasing");
            last = t;
        }
        double share = fraud / (double) n;
        // Target 0.3%; a burst has a random size, so allow a generous band.
        assertTrue(share > 0.0015 && share < 0.006, "fraud share " + share);
        assertNotEquals(0, fraud);
    }

    @Test
    void theSignalIsLearnable(@TempDir Path dir) throws Exception {
        WarmStart.Result r = WarmStart.trainOnSimulation(BuiltInDomains.fraud(), FraudSimulator.withDefaults(3), 60_000,
                dir.toUri().toString(), null);
        assertTrue(r.validationAuc() > 0.85, "validation AUC " + r.validationAuc());
        assertEquals(1L, r.snapshot().getVersion());
        assertEquals(BuiltInDomains.fraud().features().hash(), r.snapshot().getFeatureSpecHash());
    }

    @Test
    void everyFraudGetsOneLabelDaysLaterAndGenuinePaymentsNone() {
        // A small, busy world: 500 cards, 5 payments a day, 1% fraud; 40 simulated days.
        FraudSimulator sim = new FraudSimulator(21, 500, 5, 0.01, FraudSimulator.DEFAULT_START, DriftSchedule.none(), Transport.NONE);
        java.util.Map<String, PaymentTransaction> frauds = new java.util.HashMap<>();
        java.util.Set<String> genuine = new java.util.HashSet<>();
        java.util.List<Long> delays = new java.util.ArrayList<>();
        int reports = 0;
        long end = FraudSimulator.DEFAULT_START + 40 * DAY;
        while (sim.now() < end) {
            SimulatedRecord r = sim.nextRecord();
            if (r instanceof SimulatedEvent e) {
                PaymentTransaction tx = (PaymentTransaction) e.value();
                if (e.positive()) {
                    frauds.put(tx.getTransactionId(), tx);
                } else {
                    genuine.add(tx.getTransactionId());
                }
            } else {
                FraudLabel label = (FraudLabel) r.value();
                assertFalse(genuine.contains(label.getTransactionId()), "no label for a genuine payment");
                PaymentTransaction tx = frauds.remove(label.getTransactionId());
                assertNotNull(tx, "a label names a fraudulent payment seen before it, once: " + label);
                assertEquals(tx.getCardId(), label.getCardId());
                assertEquals(tx.getMerchantId(), label.getMerchantId(), "a label names the merchant, for its label features");
                assertEquals(tx.getCardId(), r.key());
                assertTrue(label.getIsFraud());
                assertEquals(label.getLabelTime(), sim.now(), "a label is emitted when it becomes known");
                long delay = label.getLabelTime() - tx.getEventTime();
                assertTrue(delay >= HOUR && delay <= 29 * DAY, "delay " + delay);
                delays.add(delay);
                reports += label.getSource() == LabelSource.FRAUD_REPORT ? 1 : 0;
            }
        }
        assertTrue(delays.size() > 500, "labels " + delays.size());
        // Frauds still waiting for their label are recent: none older than the longest delay.
        for (PaymentTransaction tx : frauds.values()) {
            assertTrue(end - tx.getEventTime() < 29 * DAY, "unlabelled fraud from " + tx.getEventTime());
        }
        java.util.Collections.sort(delays);
        long median = delays.get(delays.size() / 2);
        assertTrue(median > 12 * HOUR && median < 8 * DAY, "median label delay " + median / (double) DAY + " days");
        double reportShare = reports / (double) delays.size();
        assertTrue(reportShare > 0.33 && reportShare < 0.47, "fraud reports " + reportShare + " (40% expected)");
    }

    @Test
    void aNewFraudPatternLeavesAFrozenModelBehind(@TempDir Path dir) throws Exception {
        // Trained on ~4 days of card-not-present fraud; cloned cards take over at day 5.5.
        long drift = (long) (5.5 * DAY);
        FraudSimulator sim = new FraudSimulator(3, 2000, 5, 0.01, FraudSimulator.DEFAULT_START,
                DriftSchedule.parse("abrupt@" + drift / 60_000 + "m"), Transport.DEFAULT);
        WarmStart.Result r = WarmStart.trainOnSimulation(BuiltInDomains.fraud(), sim, 40_000, dir.toUri().toString(), null);
        SimEval.Rows fresh = new SimEval(BuiltInDomains.fraud()).collect(sim, 35_000);
        long at = FraudSimulator.DEFAULT_START + drift;
        double before = fresh.auc(r.training().network(), 0, at);
        double after = fresh.auc(r.training().network(), at, Long.MAX_VALUE);
        System.out.printf("fraud: validation AUC %.3f; fresh data before the drift %.3f (%d frauds), after %.3f (%d frauds)%n",
                r.validationAuc(), before, fresh.positives(0, at), after, fresh.positives(at, Long.MAX_VALUE));
        assertTrue(fresh.positives(0, at) >= 80 && fresh.positives(at, Long.MAX_VALUE) >= 80, "enough frauds on both sides");
        assertTrue(before > 0.9, "learnable: AUC on fresh data " + before);
        assertTrue(after < before - 0.1, "frozen model degrades: " + before + " -> " + after);
    }
}
