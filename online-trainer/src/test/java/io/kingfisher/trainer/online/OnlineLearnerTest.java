package io.kingfisher.trainer.online;

import io.kingfisher.trainer.GoldenSet;
import io.kingfisher.trainer.OfflineTrainer;
import io.kingfisher.trainer.TrainResult;
import io.kingfisher.trainer.TrainerConfig;
import io.kingfisher.trainer.eval.BinaryMetrics;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The online learner on a synthetic stream whose hidden rule changes (a drift): it must adapt and beat the frozen
 * warm start, refuse to publish when fed flipped labels, roll back a version whose live scores fall, and resume
 * from a checkpoint exactly where it was.
 */
class OnlineLearnerTest {
    private static final int FEATURES = 6;
    private static MultiLayerNetwork warm;
    private static GoldenSet golden;

    @BeforeAll
    static void warmStart() {
        Stream s = new Stream(11L);
        int n = 12_000;
        float[][] x = new float[n][];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = s.features();
            y[i] = s.label(x[i], false);
        }
        TrainerConfig cfg = new TrainerConfig(List.of(16, 8), 5e-3, 1e-5, 128, 6, OptionalDouble.of(1.0), 7L, 0.2);
        TrainResult r = new OfflineTrainer().train(x, y, cfg);
        assertTrue(r.validationAuc() > 0.8, "warm start learns the first regime: " + r.validationAuc());
        warm = r.network();
        golden = GoldenSet.of(x, y, r.validationRows());
    }

    /** A stream of rows whose label rule flips the role of two features after the drift. */
    static final class Stream {
        final SplittableRandom r;

        Stream(long seed) {
            r = new SplittableRandom(seed);
        }

        float[] features() {
            float[] x = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = (float) r.nextGaussian();
            }
            return x;
        }

        float label(float[] x, boolean drifted) {
            double logit = drifted ? -1.2 + 2.0 * x[2] - 1.5 * x[3] + 0.8 * x[0]
                    : -1.2 + 2.0 * x[0] - 1.5 * x[1] + 0.8 * x[2];
            return r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
        }
    }

    private static LearnerSettings settings() {
        LearnerSettings d = LearnerSettings.defaults();
        return new LearnerSettings(32, 1000, 1000, 60_000, 100, 3, 1.0, 3.0, 1000,
                0.02, 0.02, 0.05, 200, 5, 300, 0.10,
                d.driftConfidence(), 1000, 0.25, 0, LearnerSettings.DriftAction.BOOST_LR, 3.0, 2000, 0.5, 7L, List.of());
    }

    private static double score(MultiLayerNetwork net, float[] x) {
        return net.output(Nd4j.create(x, new long[] {1, x.length}, 'c'), false).getDouble(0, 0);
    }

    @Test
    void startingRatesBelowTheTunedRangeStillStartAndTrain() {
        LearnerSettings d = settings();
        // lr_scale 0.001 of a 5e-3 warm start: members at 1.7e-6 ... 1.5e-5, partly below the tuned range's 1e-5
        LearnerSettings low = new LearnerSettings(d.batchSize(), d.window(), d.publishEveryExamples(), d.publishEveryMillis(),
                d.minExamplesToPublish(), d.population(), 0.001, d.learningRateSpread(), d.tuneEveryExamples(),
                d.gateLossMargin(), d.gateAucMargin(), d.goldenAucMargin(), d.gateMinExamples(), d.gateMinPositives(),
                d.rollbackMinExamples(), d.rollbackLossMargin(), d.driftConfidence(), d.psiWindow(), d.psiThreshold(),
                d.psiMinEntities(), d.onDrift(), d.boostFactor(), d.boostExamples(), d.alertThreshold(), d.seed(), List.of());
        OnlineLearner learner = new OnlineLearner(low, warm, 1, golden, 5e-3);
        assertTrue(learner.learningRates()[0] < OnlineLearner.TUNED_RATE_MIN, java.util.Arrays.toString(learner.learningRates()));
        Stream s = new Stream(5L);
        for (int i = 0; i < 2_048; i++) { // whole batches of 32
            float[] x = s.features();
            learner.learn(new Example(x, s.label(x, false), score(warm, x), 1, i, i + 1, "label", 0, i), i + 1);
        }
        assertEquals(2_048, learner.examples());
        for (double rate : learner.learningRates()) {
            assertTrue(rate > 0 && rate <= OnlineLearner.TUNED_RATE_MAX, java.util.Arrays.toString(learner.learningRates()));
        }
    }

    @Test
    void adaptsAfterDriftAndBeatsTheFrozenModel() {
        OnlineLearner learner = new OnlineLearner(settings(), warm, 1, golden, 5e-3);
        Stream s = new Stream(99L);
        MultiLayerNetwork served = warm.clone();
        long servedVersion = 1;
        List<Double> online = new ArrayList<>();
        List<Double> frozen = new ArrayList<>();
        List<Float> labels = new ArrayList<>();
        int published = 0;
        boolean driftReported = false;
        int chunk = 32;
        for (int i = 0; i < 24_000; i += chunk) {
            boolean drifted = i >= 6_000;
            float[][] x = new float[chunk][];
            float[] y = new float[chunk];
            for (int r = 0; r < chunk; r++) {
                x[r] = s.features();
                y[r] = s.label(x[r], drifted);
            }
            double[] p = scores(served, x);
            if (i >= 14_000) { // well after the drift: the served (online) model against the frozen one
                double[] f = scores(warm, x);
                for (int r = 0; r < chunk; r++) {
                    online.add(p[r]);
                    frozen.add(f[r]);
                    labels.add(y[r]);
                }
            }
            for (int r = 0; r < chunk; r++) {
                long t = i + r + 1;
                for (LearningDecision d : learner.learn(new Example(x[r], y[r], p[r], servedVersion, t, t, "label", 0, t), t)) {
                    if (d instanceof LearningDecision.Publish pub) {
                        served = pub.network();
                        servedVersion = pub.version();
                        published++;
                    } else if (d instanceof LearningDecision.Drift) {
                        driftReported = true;
                    }
                }
            }
        }
        double onlineAuc = auc(online, labels);
        double frozenAuc = auc(frozen, labels);
        assertTrue(published >= 3, "the learner published candidates: " + published);
        assertTrue(onlineAuc > frozenAuc + 0.05, "online " + onlineAuc + " vs frozen " + frozenAuc);
        assertTrue(driftReported, "the drift was reported");
        assertEquals(1, learner.frozenVersion());
    }

    private static double[] scores(MultiLayerNetwork net, float[][] x) {
        float[] flat = new float[x.length * FEATURES];
        for (int r = 0; r < x.length; r++) {
            System.arraycopy(x[r], 0, flat, r * FEATURES, FEATURES);
        }
        var out = net.output(Nd4j.create(flat, new long[] {x.length, FEATURES}, 'c'), false);
        double[] s = new double[x.length];
        for (int r = 0; r < x.length; r++) {
            s[r] = out.getDouble(r, 0);
        }
        return s;
    }

    @Test
    void flippedLabelsNeverGetPublished() {
        OnlineLearner learner = new OnlineLearner(settings(), warm, 1, golden, 5e-3);
        Stream s = new Stream(5L);
        int published = 0;
        int refused = 0;
        for (int i = 0; i < 12_000; i++) {
            float[] x = s.features();
            float y = 1f - s.label(x, false); // a broken label pipeline
            for (LearningDecision d : learner.learn(new Example(x, y, score(warm, x), 1, i, i + 1, "label", 0, i), i + 1)) {
                if (d instanceof LearningDecision.Publish) {
                    published++;
                } else if (d instanceof LearningDecision.Refuse) {
                    refused++;
                }
            }
        }
        assertEquals(0, published, "a trainer fed flipped labels must not publish");
        assertTrue(refused >= 5, "the gate refused the candidates: " + refused);
    }

    @Test
    void rollsBackAVersionWhoseLiveScoresFall() {
        OnlineLearner learner = new OnlineLearner(settings(), warm, 1, golden, 5e-3);
        Stream s = new Stream(21L);
        long version = 1;
        LearningDecision.RollBack rollback = null;
        long firstPublished = -1;
        for (int i = 0; i < 20_000 && rollback == null; i++) {
            float[] x = s.features();
            float y = s.label(x, false);
            double good = score(warm, x);
            // Once a new version serves, its live scores are wrong (as if its payload were corrupted in serving).
            double served = version > 1 ? 1.0 - good : good;
            for (LearningDecision d : learner.learn(new Example(x, y, served, version, i, i + 1, "label", 0, i), i + 1)) {
                if (d instanceof LearningDecision.Publish p) {
                    version = p.version();
                    firstPublished = firstPublished < 0 ? p.version() : firstPublished;
                } else if (d instanceof LearningDecision.RollBack r) {
                    rollback = r;
                }
            }
        }
        assertTrue(rollback != null, "the falling version was rolled back");
        assertTrue(rollback.version() > firstPublished, "a rollback is a new version");
        assertEquals(1, rollback.restoredVersion(), "the parent (the warm start) is restored");
    }

    @Test
    void checkpointRestoreContinuesExactly() throws Exception {
        OnlineLearner a = new OnlineLearner(settings(), warm, 1, golden, 5e-3);
        Stream s = new Stream(3L);
        List<Example> stream = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            float[] x = s.features();
            stream.add(new Example(x, s.label(x, false), score(warm, x), 1, i, i + 1, "label", 0, i));
        }
        for (int i = 0; i < 1_600; i++) { // a multiple of the batch size: nothing half-buffered at the checkpoint
            a.learn(stream.get(i), i + 1);
        }
        byte[] bytes = a.checkpoint();
        OnlineLearner b = OnlineLearner.restore(settings(), golden, bytes, warm.clone(), 1, a.championNetwork().clone(),
                a.championVersion(), a.parentNetwork() == null ? null : a.parentNetwork().clone(), a.parentVersion());
        List<String> da = new ArrayList<>();
        List<String> db = new ArrayList<>();
        for (int i = 1_600; i < 3_000; i++) {
            a.learn(stream.get(i), i + 1).forEach(d -> da.add(describe(d)));
            b.learn(stream.get(i), i + 1).forEach(d -> db.add(describe(d)));
        }
        // The same decisions (kinds, versions, members); the numbers agree to float noise (ND4J's multi-threaded
        // reductions need not add in the same order twice).
        assertEquals(da.size(), db.size(), da + " vs " + db);
        assertFalse(da.isEmpty());
        for (int i = 0; i < da.size(); i++) {
            assertEquals(da.get(i).replaceAll("[0-9.]+$", ""), db.get(i).replaceAll("[0-9.]+$", ""));
        }
        assertEquals(a.metrics().get("champion.logloss"), b.metrics().get("champion.logloss"), 1e-3);
        assertEquals(a.metrics().get("served.logloss"), b.metrics().get("served.logloss"), 1e-12);
        assertEquals(a.examples(), b.examples());
    }

    @Test
    void positivesOfAColdStartWaitForTheFirstNegativeAcrossACheckpoint() {
        OnlineLearner a = new OnlineLearner(settings(), warm, 1, golden, 5e-3);
        Stream s = new Stream(5L);
        for (int i = 0; i < 200; i++) { // a click stream's first window: positives only
            assertTrue(a.learn(new Example(s.features(), 1, 0.5, 1, i, i + 1, "label", 0, i), i + 1).isEmpty());
        }
        assertEquals(200, a.heldAtStart());
        assertEquals(0, a.examples(), "nothing trained on positives alone");
        OnlineLearner b = OnlineLearner.restore(settings(), golden, a.checkpoint(), warm.clone(), 1,
                a.championNetwork().clone(), a.championVersion(), null, -1);
        assertEquals(200, b.heldAtStart());
        // Negatives of the first events begin to settle: the positives of their period go with them.
        for (int i = 0; i < 100; i++) {
            b.learn(new Example(s.features(), 0, 0.5, 1, i, 0, "timeout", -1, -1), 300 + i);
        }
        assertEquals(100, b.heldAtStart(), "positives of events 0-99 released, 100-199 still held");
        b.learn(new Example(s.features(), 1, 0.5, 1, 500, 501, "label", 0, 500), 400);
        assertEquals(100, b.heldAtStart(), "a positive after the first negative is not held");
    }

    @Test
    void psiComparesAColumnOnlyOnceTheStreamCoversItsWarmUp() {
        // Feature 5 plays no part in the labels; here it only ever takes a narrow band of its reference's values,
        // as a day's count does in a store that started empty. The stream covers 3 s of event time.
        List<String> reported = new ArrayList<>();
        List<String> ignoring = new ArrayList<>();
        OnlineLearner all = new OnlineLearner(settings(), warm, 1, golden, 5e-3);
        OnlineLearner some = new OnlineLearner(settings().withPsiWarmUp(List.of(0L, 0L, 0L, 0L, 0L, 86_400_000L)), warm, 1,
                golden, 5e-3);
        Stream s = new Stream(9L);
        for (int i = 0; i < 3_000; i++) {
            float[] x = s.features();
            x[5] = 1.5f + (float) s.r.nextDouble();
            Example e = new Example(x, s.label(x, false), score(warm, x), 1, i, i + 1, "label", 0, i);
            all.learn(e, i + 1).stream().filter(d -> d instanceof LearningDecision.Drift).forEach(d -> reported.add(((LearningDecision.Drift) d).reason()));
            some.learn(e, i + 1).stream().filter(d -> d instanceof LearningDecision.Drift).forEach(d -> ignoring.add(((LearningDecision.Drift) d).reason()));
        }
        assertFalse(reported.isEmpty(), "the shifted column is reported when PSI looks at it");
        assertTrue(reported.get(0).contains("feature 5"), reported.get(0));
        assertEquals(List.of(), ignoring);
    }

    @Test
    void psiComparesEachColumnWithTheGoldenRowsPastItsWarmUp() {
        // Half the golden rows come from the history's first moments, when feature 5 (a count whose state started
        // empty) still took a narrow band of values; their age is under the column's 1 s warm-up. The live stream,
        // 3 s of event time, is past its own warm-up and has the column's settled values.
        float[][] gx = new float[golden.x().length][];
        long[] ages = new long[gx.length];
        SplittableRandom r = new SplittableRandom(12L);
        for (int i = 0; i < gx.length; i++) {
            gx[i] = golden.x()[i].clone();
            if (i % 2 == 0) {
                gx[i][5] = 1.5f + (float) r.nextDouble();
            }
            ages[i] = i % 2 == 0 ? 0L : 5_000L;
        }
        LearnerSettings s = settings().withPsiWarmUp(List.of(0L, 0L, 0L, 0L, 0L, 1_000L));
        OnlineLearner aged = new OnlineLearner(s, warm, 1, new GoldenSet(gx, golden.y(), ages), 5e-3);
        OnlineLearner unaged = new OnlineLearner(s, warm, 1, new GoldenSet(gx, golden.y()), 5e-3);
        List<String> agedReports = new ArrayList<>();
        List<String> unagedReports = new ArrayList<>();
        Stream stream = new Stream(9L);
        for (int i = 0; i < 3_000; i++) {
            float[] x = stream.features();
            Example e = new Example(x, stream.label(x, false), score(warm, x), 1, i, i + 1, "label", 0, i);
            aged.learn(e, i + 1).stream().filter(d -> d instanceof LearningDecision.Drift).forEach(d -> agedReports.add(d.reason()));
            unaged.learn(e, i + 1).stream().filter(d -> d instanceof LearningDecision.Drift).forEach(d -> unagedReports.add(d.reason()));
        }
        assertTrue(unagedReports.stream().anyMatch(d -> d.contains("feature 5")), "against every golden row: " + unagedReports);
        assertEquals(List.of(), agedReports.stream().filter(d -> d.startsWith("PSI")).toList());
    }

    @Test
    void psiComparesOnlyWindowsOfEnoughEntities() {
        // The same shifted column as above, once from 30 entities and once from a new entity per example: with
        // psi_min_entities 100, only the second is a sample of a population that PSI may compare.
        LearnerSettings settings = withPsiMinEntities(settings(), 100);
        List<String> few = new ArrayList<>();
        List<String> many = new ArrayList<>();
        OnlineLearner ward = new OnlineLearner(settings, warm, 1, golden, 5e-3);
        OnlineLearner hospital = new OnlineLearner(settings, warm, 1, golden, 5e-3);
        Stream s = new Stream(9L);
        for (int i = 0; i < 3_000; i++) {
            float[] x = s.features();
            x[5] = 1.5f + (float) s.r.nextDouble();
            float label = s.label(x, false);
            double served = score(warm, x);
            ward.learn(new Example(x, label, served, 1, i, i + 1, "label", 0, i, "pt-" + i % 30), i + 1).stream()
                    .filter(dd -> dd instanceof LearningDecision.Drift).forEach(dd -> few.add(dd.reason()));
            hospital.learn(new Example(x, label, served, 1, i, i + 1, "label", 0, i, "pt-" + i), i + 1).stream()
                    .filter(dd -> dd instanceof LearningDecision.Drift).forEach(dd -> many.add(dd.reason()));
        }
        assertEquals(List.of(), few.stream().filter(r -> r.startsWith("PSI")).toList());
        List<String> psi = many.stream().filter(r -> r.startsWith("PSI")).toList();
        assertFalse(psi.isEmpty(), "reported once the window holds enough entities: " + many);
        assertTrue(psi.get(0).contains("feature 5") && psi.get(0).contains("over 1,000 rows of 1,000 entities"), psi.get(0));
        assertThrows(IllegalArgumentException.class, () -> withPsiMinEntities(settings(), -1));
    }

    @Test
    void psiWindowOfASlowlyTurningWardGrowsUntilItSpansEnoughEntities() {
        // Each patient has 50 consecutive rows, so a window of psi_window (1,000) rows holds 20 or 21 of them; with
        // psi_min_entities 100 the window grows to about 5,000 rows of exactly 100 patients, and reports the shift.
        List<String> reported = new ArrayList<>();
        OnlineLearner ward = new OnlineLearner(withPsiMinEntities(settings(), 100), warm, 1, golden, 5e-3);
        Stream s = new Stream(9L);
        for (int i = 0; i < 7_000; i++) {
            float[] x = s.features();
            x[5] = 1.5f + (float) s.r.nextDouble();
            ward.learn(new Example(x, s.label(x, false), score(warm, x), 1, i, i + 1, "label", 0, i, "pt-" + i / 50), i + 1)
                    .stream().filter(d -> d instanceof LearningDecision.Drift).forEach(d -> reported.add(d.reason()));
        }
        List<String> psi = reported.stream().filter(r -> r.startsWith("PSI")).toList();
        assertFalse(psi.isEmpty(), "reported once the window spans 100 patients: " + reported);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("over ([0-9,]+) rows of 100 entities").matcher(psi.get(0));
        assertTrue(m.find(), psi.get(0));
        int rows = Integer.parseInt(m.group(1).replace(",", ""));
        assertTrue(rows > 4_900 && rows <= 5_000, "the shortest window of 100 patients: " + psi.get(0));
    }

    private static LearnerSettings withPsiMinEntities(LearnerSettings d, int entities) {
        return new LearnerSettings(d.batchSize(), d.window(), d.publishEveryExamples(), d.publishEveryMillis(),
                d.minExamplesToPublish(), d.population(), d.learningRateScale(), d.learningRateSpread(), d.tuneEveryExamples(),
                d.gateLossMargin(), d.gateAucMargin(), d.goldenAucMargin(), d.gateMinExamples(), d.gateMinPositives(),
                d.rollbackMinExamples(), d.rollbackLossMargin(), d.driftConfidence(), d.psiWindow(), d.psiThreshold(),
                entities, d.onDrift(), d.boostFactor(), d.boostExamples(), d.alertThreshold(), d.seed(), d.psiWarmUp());
    }

    private static String describe(LearningDecision d) {
        if (d instanceof LearningDecision.Publish p) {
            return "publish v" + p.version() + " " + p.metrics().get("candidate.logloss");
        }
        return d.getClass().getSimpleName() + " " + d.reason();
    }

    private static double auc(List<Double> scores, List<Float> labels) {
        double[] s = scores.stream().mapToDouble(Double::doubleValue).toArray();
        float[] y = new float[labels.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.get(i);
        }
        return BinaryMetrics.auc(s, y);
    }
}
