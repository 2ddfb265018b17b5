package io.kingfisher.sim;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FraudSimulatorTest {

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
}
