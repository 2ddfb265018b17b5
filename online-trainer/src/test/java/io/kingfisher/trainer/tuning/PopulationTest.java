package io.kingfisher.trainer.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PopulationTest {

    private static final Map<String, Population.Bounds> LR = Map.of("learning_rate", new Population.Bounds(0.001, 0.1));

    private static List<Map<String, Double>> members(double... learningRates) {
        List<Map<String, Double>> out = new ArrayList<>();
        for (double lr : learningRates) {
            out.add(Map.of("learning_rate", lr, "batch", 32.0));
        }
        return out;
    }

    /** Window 10, a step every 5 examples, a quarter replaced, grace 8, x1.25. */
    private static Population small(long seed, double... learningRates) {
        return new Population(members(learningRates), new Population.Config(10, 5, 0.25, 8, 1.25, LR, seed));
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void replacesTheWorstMatureMemberWithAPerturbedCopyOfTheBest() {
        Population pop = small(1L, 0.01, 0.02, 0.04, 0.08);
        // Every label is 1, so member i's loss is -ln p_i: member 0 is best, member 3 worst.
        double[] scores = {0.9, 0.8, 0.5, 0.2};
        List<List<Population.Replacement>> steps = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<Population.Replacement> r = pop.observe(scores, 1);
            if ((i + 1) % 5 == 0) {
                steps.add(r);
            } else {
                assertTrue(r.isEmpty());
            }
        }
        assertEquals(4, pop.steps());
        assertTrue(steps.get(0).isEmpty(), "after 5 examples no member has its grace of 8");

        assertEquals(1, steps.get(1).size());
        Population.Replacement first = steps.get(1).get(0);
        assertEquals(3, first.dropIndex());
        assertEquals(0, first.cloneFromIndex());
        double lr = first.newHyperparameters().get("learning_rate");
        assertTrue(Math.abs(lr - 0.0125) < 1e-15 || Math.abs(lr - 0.008) < 1e-15, "0.01 x 1.25 or / 1.25: " + lr);
        assertEquals(32.0, first.newHyperparameters().get("batch"), 0.0, "unbounded: copied");

        // Step 3: member 3 is in its grace (5 < 8 examples), so the worst mature one, member 2, goes.
        assertEquals(2, steps.get(2).get(0).dropIndex());
        assertEquals(0, steps.get(2).get(0).cloneFromIndex());
        // Step 4: member 2 is in its grace; member 3 (10 examples, still scoring 0.2) is worst again.
        assertEquals(3, steps.get(3).get(0).dropIndex());
        assertEquals(0, pop.best());
        assertEquals(3, pop.replacements());
        assertEquals(0, pop.seen(3));
        assertEquals(Double.NaN, pop.loss(3));
        assertEquals(steps.get(3).get(0).newHyperparameters(), pop.hyperparameters(3));
        assertEquals(-Math.log(0.9), pop.loss(0), 1e-12);
    }

    @Test
    void neverDropsTheBestAndRanksOnlyMatureMembers() {
        Population pop = new Population(members(0.01, 0.02),
                new Population.Config(10, 1, 0.5, 3, 1.25, LR, 3L));
        assertEquals(-1, pop.best());
        assertTrue(pop.observe(new double[] {0.3, 0.9}, 1).isEmpty());
        assertTrue(pop.observe(new double[] {0.3, 0.9}, 1).isEmpty());
        List<Population.Replacement> r = pop.observe(new double[] {0.3, 0.9}, 1);
        assertEquals(1, r.size(), "half of two is one");
        assertEquals(0, r.get(0).dropIndex());
        assertEquals(1, r.get(0).cloneFromIndex());
        assertEquals(List.of(1), pop.ranking(), "the replaced member is back in its grace");
        assertEquals(1, pop.best());
        assertTrue(pop.step().isEmpty(), "one mature member: nobody to compare");
    }

    @Test
    void perturbationIsClampedToTheBounds() {
        // Member 0 sits at the upper bound and always wins, so member 1 is re-cloned from it each step.
        Population pop = new Population(members(0.1, 0.001), new Population.Config(10, 1, 0.5, 1, 1.25, LR, 5L));
        java.util.Set<Double> drawn = new java.util.TreeSet<>();
        for (int i = 0; i < 40; i++) {
            for (Population.Replacement r : pop.observe(new double[] {0.9, 0.1}, 1)) {
                assertEquals(1, r.dropIndex());
                assertEquals(0, r.cloneFromIndex());
                drawn.add(r.newHyperparameters().get("learning_rate"));
            }
        }
        assertEquals(java.util.Set.of(0.1 / 1.25, 0.1), drawn, "0.1 x 1.25 is clamped to 0.1");
        assertEquals(0.1, pop.hyperparameters(0).get("learning_rate"), 0.0);
    }

    @Test
    void sameSeedSameReplacementsAcrossACheckpoint() throws Exception {
        Population a = small(99L, 0.01, 0.02, 0.04, 0.08, 0.05, 0.003, 0.007, 0.09);
        Population b = small(99L, 0.01, 0.02, 0.04, 0.08, 0.05, 0.003, 0.007, 0.09);
        Population c = small(100L, 0.01, 0.02, 0.04, 0.08, 0.05, 0.003, 0.007, 0.09);
        SplittableRandom r = new SplittableRandom(7L);
        List<Population.Replacement> fromA = new ArrayList<>();
        List<Population.Replacement> fromB = new ArrayList<>();
        List<Population.Replacement> fromC = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            if (i == 200) {
                b = roundTrip(b);
            }
            double[] s = new double[8];
            for (int k = 0; k < 8; k++) {
                s[k] = r.nextDouble();
            }
            double y = r.nextDouble() < 0.5 ? 1 : 0;
            fromA.addAll(a.observe(s, y));
            fromB.addAll(b.observe(s, y));
            fromC.addAll(c.observe(s, y));
        }
        assertTrue(fromA.size() > 50, "replacements: " + fromA.size());
        assertEquals(fromA, fromB);
        assertNotEquals(fromA, fromC, "another seed draws differently");
    }

    private static Population roundTrip(Population p) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Population) in.readObject();
        }
    }

    /**
     * Synthetic members whose scores get noisier the further their learning rate is from 0.01 (on a
     * log scale): the population should gather around 0.01.
     */
    @Test
    void convergesTowardsTheBetterLearningRate() {
        Map<String, Population.Bounds> bounds = Map.of("learning_rate", new Population.Bounds(1e-5, 10));
        double[] start = {1e-4, 3.7e-4, 1.4e-3, 5.2e-3, 1.9e-2, 7.2e-2, 0.27, 1.0};
        Population pop = new Population(members(start), Population.Config.defaults(bounds, 2024L));
        SplittableRandom r = new SplittableRandom(31L);
        double before = meanDistance(pop);
        double[] scores = new double[start.length];
        for (int i = 0; i < 100_000; i++) {
            double z = 1.5 * r.nextGaussian() - 1;
            double y = r.nextDouble() < sigmoid(z) ? 1 : 0;
            for (int m = 0; m < scores.length; m++) {
                double distance = Math.abs(Math.log10(pop.hyperparameters(m).get("learning_rate")) + 2);
                scores[m] = sigmoid(z + (0.1 + 0.8 * distance) * r.nextGaussian());
            }
            pop.observe(scores, y);
        }
        double after = meanDistance(pop);
        double bestLr = pop.hyperparameters(pop.best()).get("learning_rate");
        System.out.printf("population: mean |log10(lr / 0.01)| %.3f -> %.3f, best lr %.5f, %d replacements%n",
                before, after, bestLr, pop.replacements());
        assertEquals(100, pop.steps());
        assertTrue(after < 0.35, "mean distance " + before + " -> " + after + ": " + pop);
        assertTrue(Math.abs(Math.log10(bestLr) + 2) < 0.3, "best " + bestLr);
    }

    private static double meanDistance(Population pop) {
        double sum = 0;
        for (int m = 0; m < pop.size(); m++) {
            sum += Math.abs(Math.log10(pop.hyperparameters(m).get("learning_rate")) + 2);
        }
        return sum / pop.size();
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        Population.Config ok = new Population.Config(10, 5, 0.25, 8, 1.25, LR, 1L);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population(members(0.01), ok))
                .getMessage().contains("initial"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population(members(0.01, 0.5), ok))
                .getMessage().contains("initial[1].learning_rate"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Population(List.of(Map.of("l2", 1.0), Map.of("l2", 1.0)), ok)).getMessage()
                .contains("initial[0].learning_rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population.Config(0, 5, 0.25, 8, 1.25, LR, 1))
                .getMessage().contains("windowSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population.Config(10, 0, 0.25, 8, 1.25, LR, 1))
                .getMessage().contains("interval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population.Config(10, 5, 0.6, 8, 1.25, LR, 1))
                .getMessage().contains("dropFraction"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population.Config(10, 5, 0.25, 0, 1.25, LR, 1))
                .getMessage().contains("grace"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population.Config(10, 5, 0.25, 8, 1.0, LR, 1))
                .getMessage().contains("perturbFactor"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population.Bounds(0, 1)).getMessage()
                .contains("min"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Population.Bounds(1, 0.5)).getMessage()
                .contains("max"));
        Population pop = new Population(members(0.01, 0.02), ok);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> pop.observe(new double[3], 1)).getMessage()
                .contains("scores"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> pop.observe(new double[] {0.5, 1.5}, 1))
                .getMessage().contains("scores[1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> pop.observe(new double[] {0.5, 0.5}, 3))
                .getMessage().contains("label"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> pop.record(2, 0.5, 1)).getMessage()
                .contains("member"));
        assertEquals(0, pop.seen(0), "rejected examples leave no trace");
    }
}
