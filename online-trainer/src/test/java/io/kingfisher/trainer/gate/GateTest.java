package io.kingfisher.trainer.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.trainer.eval.PrequentialWindow;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GateTest {

    private static final Gate.Config SMALL = Gate.Config.defaults().withMinimums(4, 1);

    /** Positives scored p, negatives 1 - p, labels 1, 0, 1, 0, ... */
    private static PrequentialWindow confident(int n, double p) {
        PrequentialWindow w = new PrequentialWindow(100);
        for (int i = 0; i < n; i++) {
            boolean positive = i % 2 == 0;
            w.add(positive ? p : 1 - p, positive ? 1 : 0);
        }
        return w;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void publishesACandidateWithinTheMargins() {
        Gate gate = new Gate(SMALL);
        Gate.Decision d = gate.decide(confident(10, 0.8), confident(10, 0.85), 0.80, 0.81);
        assertTrue(d.publish(), d.reason());
        assertTrue(d.reason().startsWith("publish: over 10 examples (5 positives)"), d.reason());
        // log loss -ln 0.85 vs -ln 0.8
        assertEquals(Math.log(0.85) / Math.log(0.8), d.metrics().get(Gate.LOGLOSS_RATIO), 1e-12);
        assertEquals(0.0, d.metrics().get(Gate.AUC_DELTA), 0.0);
        assertEquals(0.01, d.metrics().get(Gate.GOLDEN_AUC_DELTA), 1e-12);
        assertEquals(0.81, d.metrics().get("candidate.golden_auc"), 0.0);
        assertEquals(10.0, d.metrics().get("champion.n"), 0.0);
        assertEquals(-Math.log(0.8), d.metrics().get("champion.logloss"), 1e-12);
        assertThrows(UnsupportedOperationException.class, () -> d.metrics().put("x", 1.0));
    }

    @Test
    void refusesAWorseLogLossWithTheNumbers() {
        Gate gate = new Gate(SMALL);
        // -ln 0.7 = 0.35667 > -ln 0.8 = 0.22314 x 1.01; both AUCs are 1.
        Gate.Decision d = gate.decide(confident(10, 0.8), confident(10, 0.7), 0.8, 0.8);
        assertFalse(d.publish());
        assertEquals("refused: log loss 0.35667 > champion 0.22314 x 1.0100 = 0.22537", d.reason());
    }

    @Test
    void logLossMarginIsRelative() {
        // Candidate loss 0.22314 x 1.0099: inside a 1% margin, outside a 0.5% one.
        PrequentialWindow champion = confident(10, 0.8);
        double p = Math.exp(Math.log(0.8) * 1.0099);
        PrequentialWindow candidate = confident(10, p);
        assertTrue(new Gate(SMALL).decide(champion, candidate, 0.8, 0.8).publish());
        assertFalse(new Gate(SMALL.withMargins(0.005, 0.005, 0.01)).decide(champion, candidate, 0.8, 0.8).publish());
    }

    @Test
    void refusesAWorseWindowAuc() {
        PrequentialWindow champion = new PrequentialWindow(10);
        PrequentialWindow candidate = new PrequentialWindow(10);
        double[] labels = {1, 0, 1, 0};
        double[] champ = {0.9, 0.1, 0.6, 0.4}; // AUC 1
        double[] cand = {0.9, 0.1, 0.6, 0.7}; // pos 0.6 loses to neg 0.7: AUC 3/4
        for (int i = 0; i < 4; i++) {
            champion.add(champ[i], labels[i]);
            candidate.add(cand[i], labels[i]);
        }
        Gate lenientOnLoss = new Gate(SMALL.withMargins(10, 0.3, 0.01));
        assertTrue(lenientOnLoss.decide(champion, candidate, 0.8, 0.8).publish(), "0.75 >= 1 - 0.3");
        Gate strict = new Gate(SMALL.withMargins(10, 0.1, 0.01));
        Gate.Decision d = strict.decide(champion, candidate, 0.8, 0.8);
        assertFalse(d.publish());
        assertEquals("refused: window AUC 0.7500 < champion 1.0000 - 0.1000", d.reason());
        assertEquals(-0.25, d.metrics().get(Gate.AUC_DELTA), 1e-12);
    }

    @Test
    void refusesTooFewExamplesOrPositivesAndListsEveryFailure() {
        Gate gate = new Gate(Gate.Config.defaults());
        Gate.Decision d = gate.decide(confident(10, 0.8), confident(10, 0.7), 0.8, 0.7);
        assertFalse(d.publish());
        assertEquals("refused: too few examples: 10 < 1000; too few positives: 5 < 20; "
                + "log loss 0.35667 > champion 0.22314 x 1.0100 = 0.22537; "
                + "golden-set AUC 0.7000 < champion 0.8000 - 0.0100 (the candidate fails on trusted labels)", d.reason());
    }

    @Test
    void refusesWindowsOverDifferentExamples() {
        PrequentialWindow champion = confident(10, 0.8);
        PrequentialWindow candidate = confident(11, 0.8);
        Gate.Decision d = new Gate(SMALL).decide(champion, candidate, 0.8, 0.8);
        assertFalse(d.publish());
        assertTrue(d.reason().startsWith("windows do not cover the same examples"), d.reason());
    }

    @Test
    void missingGoldenAucIsARefusalOnlyWhenRequired() {
        Gate.Decision d = new Gate(SMALL).decide(confident(10, 0.8), confident(10, 0.8), Double.NaN, 0.8);
        assertFalse(d.publish());
        assertEquals("refused: golden-set AUC missing (champion NaN, candidate 0.8)", d.reason());
        assertTrue(new Gate(SMALL.withRequireGolden(false))
                .decide(confident(10, 0.8), confident(10, 0.8), Double.NaN, Double.NaN).publish());
    }

    /**
     * A trainer fed flipped labels: on its own (flipped) stream the candidate beats the champion in
     * log loss and AUC, so only the golden set, with labels known to be right, exposes it.
     */
    @Test
    void theGoldenSetStopsACandidateTrainedOnFlippedLabels() {
        SplittableRandom r = new SplittableRandom(42L);
        PrequentialWindow champion = new PrequentialWindow(5_000);
        PrequentialWindow candidate = new PrequentialWindow(5_000);
        int goldenN = 2_000;
        double[] goldenChampion = new double[goldenN];
        double[] goldenCandidate = new double[goldenN];
        float[] goldenLabels = new float[goldenN];
        for (int i = 0; i < 5_000 + goldenN; i++) {
            double z = r.nextGaussian() * 2;
            boolean truth = r.nextDouble() < sigmoid(z - 1);
            double championScore = sigmoid(z - 1 + 0.5 * r.nextGaussian()); // learned the truth
            double candidateScore = sigmoid(-(z - 1) + 0.5 * r.nextGaussian() - 2); // learned the flip
            if (i < 5_000) {
                double flipped = truth ? 0 : 1; // the corrupted stream both are judged on
                champion.add(championScore, flipped);
                candidate.add(candidateScore, flipped);
            } else {
                goldenChampion[i - 5_000] = championScore;
                goldenCandidate[i - 5_000] = candidateScore;
                goldenLabels[i - 5_000] = truth ? 1f : 0f;
            }
        }
        double championGolden = io.kingfisher.trainer.eval.BinaryMetrics.auc(goldenChampion, goldenLabels);
        double candidateGolden = io.kingfisher.trainer.eval.BinaryMetrics.auc(goldenCandidate, goldenLabels);
        assertTrue(candidate.logLoss() < champion.logLoss(), "the candidate looks better on the flipped stream");
        assertTrue(candidate.auc() > champion.auc());
        assertTrue(championGolden > 0.75 && candidateGolden < 0.25, championGolden + " vs " + candidateGolden);

        Gate.Config config = Gate.Config.defaults();
        Gate.Decision d = new Gate(config).decide(champion, candidate, championGolden, candidateGolden);
        assertFalse(d.publish());
        assertTrue(d.reason().startsWith("refused: golden-set AUC"), d.reason());
        assertFalse(d.reason().contains("log loss"), "only the golden check fails: " + d.reason());
        // Without the golden set the same candidate would have been published.
        Gate blind = new Gate(config.withMargins(config.logLossMargin(), config.aucMargin(), 1.0));
        assertTrue(blind.decide(champion, candidate, championGolden, candidateGolden).publish());
    }

    @Test
    void configRejectsBadValuesNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Gate.Config(0, 1, 0, 0, 0, true))
                .getMessage().contains("minExamples"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Gate.Config(1, -1, 0, 0, 0, true))
                .getMessage().contains("minPositives"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Gate.Config(1, 1, -0.1, 0, 0, true))
                .getMessage().contains("logLossMargin"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Gate.Config(1, 1, 0, 2, 0, true))
                .getMessage().contains("aucMargin"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Gate.Config(1, 1, 0, 0, Double.NaN, true))
                .getMessage().contains("goldenMargin"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Gate(null)).getMessage()
                .contains("config"));
        Gate gate = new Gate(SMALL);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> gate.decide(confident(4, 0.8), confident(4, 0.8), 1.2, 0.8)).getMessage()
                .contains("championGoldenAuc"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> gate.decide(confident(4, 0.8), confident(4, 0.8), 0.8, -0.1)).getMessage()
                .contains("candidateGoldenAuc"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> gate.decide(null, confident(4, 0.8), 0.8, 0.8)).getMessage().contains("champion"));
        Gate.Config d = Gate.Config.defaults();
        assertEquals(1000, d.minExamples());
        assertEquals(20, d.minPositives());
        assertTrue(d.requireGolden());
    }
}
