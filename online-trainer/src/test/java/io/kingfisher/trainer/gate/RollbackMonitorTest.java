package io.kingfisher.trainer.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RollbackMonitorTest {

    /** First check after 10 examples, then every 5; confirmed after 40. */
    private static final RollbackMonitor.Config SMALL = new RollbackMonitor.Config(10, 20, 5, 0.05, 0.02, 40);

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void idleUntilASwapAndIgnoresExamplesMeanwhile() {
        RollbackMonitor m = new RollbackMonitor(SMALL);
        assertEquals(RollbackMonitor.State.IDLE, m.state());
        assertFalse(m.observe(1, 0.0, 1.0));
        assertEquals(0, m.examples());
        assertFalse(m.decision().rollBack());
    }

    @Test
    void rollsBackAtTheFirstCheckWhenTheLiveLossIsWorse() {
        RollbackMonitor m = new RollbackMonitor(SMALL);
        m.onSwap(7, 6);
        for (int i = 0; i < 9; i++) {
            boolean positive = i % 2 == 0;
            // live -ln 0.7 = 0.357 vs parent -ln 0.8 = 0.223: 60% worse, but no check before 10 examples.
            assertFalse(m.observe(positive ? 1 : 0, positive ? 0.7 : 0.3, positive ? 0.8 : 0.2));
        }
        assertEquals(RollbackMonitor.State.WATCHING, m.state());
        assertTrue(m.decision().metrics().isEmpty(), "no check yet");
        assertTrue(m.observe(0, 0.3, 0.2));
        RollbackMonitor.Decision d = m.decision();
        assertTrue(d.rollBack());
        assertEquals(7, d.version());
        assertEquals(6, d.parent());
        assertEquals(10, d.examples());
        assertEquals(-Math.log(0.7), d.metrics().get("live.logloss"), 1e-12);
        assertEquals(-Math.log(0.8), d.metrics().get("parent.logloss"), 1e-12);
        assertEquals(1.0, d.metrics().get("live.auc"), 0.0);
        assertTrue(d.reason().startsWith("roll back 7 to 6: log loss 0.35667 > parent 0.22314 x 1.0500"), d.reason());
        // Latched: even examples where the live model is better do not undo it.
        assertTrue(m.observe(1, 0.99, 0.5));
        assertEquals(10, m.examples());
    }

    @Test
    void rollsBackOnAnAucDropWhenTheLossIsFine() {
        RollbackMonitor m = new RollbackMonitor(new RollbackMonitor.Config(4, 4, 1, 10, 0.1, 100));
        m.onSwap(2, 1);
        double[] labels = {1, 0, 1, 0};
        double[] live = {0.9, 0.1, 0.6, 0.7}; // AUC 3/4
        double[] parent = {0.9, 0.1, 0.6, 0.4}; // AUC 1
        boolean rollBack = false;
        for (int i = 0; i < 4; i++) {
            rollBack = m.observe(labels[i], live[i], parent[i]);
        }
        assertTrue(rollBack);
        assertTrue(m.decision().reason().startsWith("roll back 2 to 1: AUC 0.7500 < parent 1.0000 - 0.1000"),
                m.decision().reason());
    }

    @Test
    void aGoodVersionIsConfirmedAfterItsProbation() {
        SplittableRandom r = new SplittableRandom(1L);
        RollbackMonitor m = new RollbackMonitor(new RollbackMonitor.Config(200, 1_000, 50, 0.05, 0.02, 3_000));
        m.onSwap(11, 10);
        for (int i = 0; i < 2_999; i++) {
            double z = r.nextGaussian() * 2 - 2;
            double y = r.nextDouble() < sigmoid(z) ? 1 : 0;
            // Live is the better model: less noise around the true logit.
            assertFalse(m.observe(y, sigmoid(z + 0.2 * r.nextGaussian()), sigmoid(z + 0.6 * r.nextGaussian())),
                    "rolled back at " + i + ": " + m.decision().reason());
        }
        assertEquals(RollbackMonitor.State.WATCHING, m.state());
        m.observe(0, 0.1, 0.1);
        assertEquals(RollbackMonitor.State.CONFIRMED, m.state());
        assertTrue(m.decision().reason().startsWith("confirmed 11 over parent 10"), m.decision().reason());
        assertEquals(1_000.0, m.decision().metrics().get("n"), 0.0);
    }

    @Test
    void aVersionThatDegradesLaterIsCaughtByTheWindow() {
        SplittableRandom r = new SplittableRandom(2L);
        RollbackMonitor m = new RollbackMonitor(new RollbackMonitor.Config(500, 1_000, 50, 0.05, 0.02, 100_000));
        m.onSwap(5, 4);
        long caughtAt = -1;
        for (int i = 0; i < 10_000 && caughtAt < 0; i++) {
            double z = r.nextGaussian() * 2 - 2;
            double y = r.nextDouble() < sigmoid(z) ? 1 : 0;
            double liveNoise = i < 5_000 ? 0.3 : 1.5; // the live model breaks after 5000 examples
            if (m.observe(y, sigmoid(z + liveNoise * r.nextGaussian()), sigmoid(z + 0.3 * r.nextGaussian()))) {
                caughtAt = i;
            }
        }
        assertTrue(caughtAt > 5_000 && caughtAt < 6_000, "caught at " + caughtAt + ": " + m.decision().reason());
    }

    @Test
    void aNewSwapStartsOverAfterARollback() {
        RollbackMonitor m = new RollbackMonitor(SMALL);
        m.onSwap(7, 6);
        for (int i = 0; i < 10; i++) {
            m.observe(1, 0.5, 0.9);
        }
        assertTrue(m.shouldRollBack());
        m.onSwap(6, 5);
        assertEquals(RollbackMonitor.State.WATCHING, m.state());
        assertEquals(0, m.examples());
        assertFalse(m.shouldRollBack());
        m.reset();
        assertEquals(RollbackMonitor.State.IDLE, m.state());
    }

    @Test
    void serializationKeepsTheWatch() throws Exception {
        RollbackMonitor m = new RollbackMonitor(SMALL);
        m.onSwap(3, 2);
        for (int i = 0; i < 9; i++) {
            m.observe(1, 0.5, 0.9);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        RollbackMonitor copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RollbackMonitor) in.readObject();
        }
        assertEquals(9, copy.examples());
        assertTrue(copy.observe(1, 0.5, 0.9), "the tenth example triggers the first check");
        assertEquals(copy.metrics().get("live.logloss"), -Math.log(0.5), 1e-12);
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackMonitor.Config(0, 1, 1, 0, 0, 1))
                .getMessage().contains("minExamples"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackMonitor.Config(10, 5, 1, 0, 0, 10))
                .getMessage().contains("window"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackMonitor.Config(1, 1, 0, 0, 0, 1))
                .getMessage().contains("checkInterval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackMonitor.Config(1, 1, 1, -1, 0, 1))
                .getMessage().contains("logLossMargin"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackMonitor.Config(1, 1, 1, 0, 1.5, 1))
                .getMessage().contains("aucMargin"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RollbackMonitor.Config(5, 5, 1, 0, 0, 4))
                .getMessage().contains("probationExamples"));
        RollbackMonitor m = new RollbackMonitor(RollbackMonitor.Config.defaults());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.onSwap(3, 3)).getMessage()
                .contains("parent"));
        m.onSwap(3, 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.observe(1, 0.5, 2)).getMessage()
                .contains("parentScore"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.observe(1, -0.5, 0.5)).getMessage()
                .contains("score"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.observe(2, 0.5, 0.5)).getMessage()
                .contains("label"));
        assertEquals(0, m.examples(), "rejected examples leave no trace");
    }
}
