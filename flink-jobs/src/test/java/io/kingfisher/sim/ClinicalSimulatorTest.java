package io.kingfisher.sim;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.News2;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.clinical.ClinicalOutcome;
import io.kingfisher.schemas.clinical.OutcomeType;
import io.kingfisher.schemas.clinical.VitalSignObservation;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.trainer.eval.BinaryMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClinicalSimulatorTest {
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long DAY = 24 * HOUR;

    @BeforeAll
    static void oneNd4jThread() {
        Nd4jThreads.configure(1);
    }

    @Test
    void aFewPerCentOfAdmissionsDeteriorate() {
        // Stated tolerance: 2.5% to 7% of admissions (the general population's rate is 4.5%), over 1500+ admissions.
        ClinicalSimulator sim = ClinicalSimulator.withDefaults(17);
        long observations = 0;
        long positives = 0;
        while (sim.tally().admissions() < 1500) {
            positives += sim.next().positive() ? 1 : 0;
            observations++;
        }
        ClinicalSimulator.Tally tally = sim.tally();
        double rate = tally.deteriorationRate();
        double positiveShare = positives / (double) observations;
        System.out.printf("clinical: %d admissions, %.2f%% deteriorate; %d observations, %.2f%% within 12 h of deterioration%n",
                tally.admissions(), 100 * rate, observations, 100 * positiveShare);
        assertTrue(rate > 0.025 && rate < 0.07, "deterioration per admission " + rate);
        assertTrue(positiveShare > 0.005 && positiveShare < 0.08, "positive observations " + positiveShare);
    }

    @Test
    void outcomesFollowTheStayAndLabelTheHoursBeforeThem() {
        ClinicalSimulator sim = new ClinicalSimulator(5, new ClinicalSimulator.Config(60, Duration.ofMinutes(10), Duration.ofHours(36),
                FraudSimulator.DEFAULT_START), DriftSchedule.none(), Transport.NONE);
        Map<String, List<SimulatedEvent>> byPatient = new HashMap<>();
        List<Long> lags = new ArrayList<>();
        double newsBeforeDeterioration = 0;
        int nBefore = 0;
        double newsDischarged = 0;
        int nDischarged = 0;
        int deteriorations = 0;
        long end = FraudSimulator.DEFAULT_START + 20 * DAY;
        while (sim.now() < end) {
            SimulatedRecord r = sim.nextRecord();
            if (r instanceof SimulatedEvent e) {
                byPatient.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
                continue;
            }
            ClinicalOutcome outcome = (ClinicalOutcome) r.value();
            List<SimulatedEvent> stay = byPatient.remove(outcome.getPatientId());
            assertNotNull(stay, "an outcome follows the patient's observations, once");
            boolean deteriorated = outcome.getOutcome() != OutcomeType.DISCHARGE;
            assertEquals(deteriorated, ((SimulatedLabel) r).positive());
            long lag = sim.now() - outcome.getEventTime();
            assertTrue(lag >= MIN && lag < 12 * HOUR, "recording lag " + lag);
            lags.add(lag);
            deteriorations += deteriorated ? 1 : 0;
            for (SimulatedEvent e : stay) {
                VitalSignObservation o = (VitalSignObservation) e.value();
                long before = outcome.getEventTime() - o.getEventTime();
                assertTrue(before >= 0, "no observation after the outcome");
                assertEquals(deteriorated && before <= 12 * HOUR, e.positive(), "ground truth is the 12-hour rule");
                int news = News2.score(o).total();
                if (deteriorated && before <= 2 * HOUR) {
                    newsBeforeDeterioration += news;
                    nBefore++;
                } else if (!deteriorated) {
                    newsDischarged += news;
                    nDischarged++;
                }
            }
        }
        assertTrue(deteriorations >= 10 && lags.size() > 200, deteriorations + " deteriorations, " + lags.size() + " outcomes");
        Collections.sort(lags);
        long median = lags.get(lags.size() / 2);
        assertTrue(median > 20 * MIN && median < 80 * MIN, "median recording lag " + median / MIN + " min");
        double drifted = newsBeforeDeterioration / nBefore;
        double stable = newsDischarged / nDischarged;
        System.out.printf("clinical: mean NEWS2 in the 2 h before deterioration %.1f, of discharged patients %.1f%n", drifted, stable);
        assertTrue(drifted > stable + 3, "patients who deteriorate drift before the outcome: " + drifted + " vs " + stable);
    }

    @Test
    void learnableAndANewWardPopulationDegradesAFrozenModel(@TempDir Path dir) throws Exception {
        // 200 beds; ~3.8 days of history; respiratory patients admitted from day 4.5; compare the days before with
        // days 6.5 on, when most of the ward has turned over.
        ClinicalSimulator.Config cfg = new ClinicalSimulator.Config(200, Duration.ofMinutes(10), Duration.ofHours(36),
                FraudSimulator.DEFAULT_START);
        long drift = (long) (4.5 * DAY);
        ClinicalSimulator sim = new ClinicalSimulator(5, cfg, DriftSchedule.parse("abrupt@" + drift / MIN + "m"), Transport.DEFAULT);
        WarmStart.Result r = WarmStart.trainOnSimulation(BuiltInDomains.clinical(), sim, 100_000, dir.toUri().toString(), null);
        List<double[]> news = new ArrayList<>();
        SimEval.Rows fresh = new SimEval(BuiltInDomains.clinical()).collect(sim, 150_000, e ->
                news.add(new double[] {News2.score((VitalSignObservation) e.value()).total(), e.positive() ? 1 : 0,
                        ((VitalSignObservation) e.value()).getEventTime()}));
        long at = FraudSimulator.DEFAULT_START + drift;
        long settled = at + 2 * DAY;
        double before = fresh.auc(r.training().network(), 0, at);
        double after = fresh.auc(r.training().network(), settled, Long.MAX_VALUE);
        double news2 = news2Auc(news, at);
        System.out.printf("clinical: validation AUC %.3f; fresh data before the drift %.3f (NEWS2 %.3f), after %.3f%n",
                r.validationAuc(), before, news2, after);
        assertTrue(fresh.positives(0, at) > 200 && fresh.positives(settled, Long.MAX_VALUE) > 200, "positives on both sides");
        assertTrue(news2 > 0.75, "NEWS2 is a usable baseline: " + news2);
        assertTrue(before > 0.85, "learnable: AUC on fresh data " + before);
        assertTrue(after < before - 0.03, "frozen model degrades: " + before + " -> " + after);
    }

    private static double news2Auc(List<double[]> rows, long until) {
        List<double[]> kept = rows.stream().filter(x -> x[2] < until).toList();
        double[] scores = new double[kept.size()];
        float[] labels = new float[kept.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = kept.get(i)[0];
            labels[i] = (float) kept.get(i)[1];
        }
        return BinaryMetrics.auc(scores, labels);
    }
}
