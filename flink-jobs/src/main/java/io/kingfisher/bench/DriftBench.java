package io.kingfisher.bench;

import io.kingfisher.config.Config;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.jobs.LearnSettings;
import io.kingfisher.models.WarmStart;
import io.kingfisher.jobs.LabelFeatureDecodeFunction;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.sim.SimulatedLabel;
import io.kingfisher.sim.SimulatedRecord;
import io.kingfisher.sim.Simulator;
import io.kingfisher.sim.Simulators;
import io.kingfisher.sim.TimeScale;
import io.kingfisher.trainer.GoldenSet;
import io.kingfisher.trainer.drift.DistinctWindow;
import io.kingfisher.trainer.drift.Psi;
import io.kingfisher.trainer.drift.PsiWindows;
import io.kingfisher.trainer.online.LearnerSettings;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does PSI report drift when there is some, and stay quiet when there is none? For each built-in domain, as its drift
 * demo runs it (800 events/s at the demo's time scale, history simulated at that scale without drift), the warm
 * start's golden set is the reference, and simulated streams of several seeds, with the demo's drift and without
 * any, go through the offline features and the online learner's PSI rules ({@link PsiWindows}, the job's
 * {@code learning.*} defaults). It reports how many comparisons passed the threshold, when PSI first did, and the
 * largest PSI it saw. Rows are taken in event order, with no feedback join in between, so the times are those of the
 * events; labels reach the label features (fraud's) as they become known.
 */
public final class DriftBench {
    /** A domain's drift demo: its time scale, drift and events. */
    public record Scenario(String domain, double timeScale, String drift, int events) {
    }

    /** The drift demos of the README, in events of 800 a second. */
    public static final List<Scenario> SCENARIOS = List.of(
            new Scenario("fraud", 17_280, "abrupt@1d,abrupt@2d", 60_000),
            new Scenario("clicks", 300, "abrupt@3h", 60_000),
            new Scenario("clinical", 14_400, "abrupt@1h,abrupt@2h", 120_000));

    private static final double RATE = 800;

    private DriftBench() {
    }

    /**
     * @param settings {@code learning.*} settings over the job's defaults (e.g. {@code learning.drift.psi_min_entities})
     * @return per domain and run ({@code domain/drift/seed}), its figures
     */
    public static Map<String, Map<String, Double>> run(List<String> domains, int seeds, int history, Map<String, String> settings)
            throws Exception {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Scenario sc : SCENARIOS) {
            if (!domains.contains(sc.domain())) {
                continue;
            }
            Domain domain = BuiltInDomains.byName(sc.domain());
            TimeScale scale = TimeScale.of(sc.timeScale(), RATE);
            Path store = Files.createTempDirectory("kingfisher-bench-drift-");
            Simulator past = Simulators.forDomain(domain, 1_000L,
                    Simulators.Options.defaults().withDrift("none").withTimeScale(scale));
            WarmStart.Result warm = WarmStart.trainOnSimulation(domain, past, history, store.toUri().toString(), null);
            GoldenSet golden = warm.golden();
            LearnerSettings s = LearnSettings.learner(Config.of(settings, LearnSettings.ALL), domain);
            for (String drift : List.of("none", sc.drift())) {
                for (int seed = 1; seed <= seeds; seed++) {
                    out.put(sc.domain() + "/" + drift + "/" + seed, replay(domain, scale, drift, seed, sc.events(), golden, s));
                }
            }
        }
        return out;
    }

    private static Map<String, Double> replay(Domain domain, TimeScale scale, String drift, long seed, int events,
                                              GoldenSet golden, LearnerSettings s) {
        Simulator sim = Simulators.forDomain(domain, seed, Simulators.Options.defaults().withDrift(drift).withTimeScale(scale));
        AvroInputBinding binding = domain.inputBinding();
        OfflineFeatures features = new OfflineFeatures(domain.features());
        Psi psi = PsiWindows.against(golden, s.psiWarmUp(), s.psiWindow());
        DistinctWindow entities = new DistinctWindow(psi.capacity());
        long start = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int comparisons = 0;
        int reports = 0;
        double max = 0;
        Map<String, Double> m = new LinkedHashMap<>();
        for (String k : List.of("simulated_hours", "comparisons", "comparisons_above_threshold", "first_report_hours",
                "first_report_feature", "first_report_psi", "first_report_rows", "first_report_entities", "max_psi")) {
            m.put(k, Double.NaN); // the first report's stay NaN when there is none
        }
        boolean labelFeatures = domain.features().hasLabelFeatures();
        int i = 0;
        while (i < events) {
            SimulatedRecord r = labelFeatures ? sim.nextRecord() : sim.next();
            if (r instanceof SimulatedLabel l) { // as labels reach the streaming stage's label features
                features.label(LabelFeatureDecodeFunction.toInput(domain.labels(), domain.features(), (GenericRecord) l.value(), 0L));
                continue;
            }
            i++;
            SimulatedEvent ev = (SimulatedEvent) r;
            InputEvent in = binding.extract((IndexedRecord) ev.value(), 0L);
            start = Math.min(start, in.eventTime);
            last = Math.max(last, in.eventTime);
            PsiWindows.observe(psi, entities, features.next(in), in.entity.hashCode(), in.eventTime, s.psiWindow(),
                    s.psiMinEntities());
            if (i % s.psiWindow() != 0 || !PsiWindows.spansEnough(entities, s.psiMinEntities())) {
                continue;
            }
            Psi.Shift shift = PsiWindows.largest(psi, s.psiWarmUp(), entities, start, last);
            if (shift == null) {
                continue;
            }
            comparisons++;
            max = Math.max(max, shift.psi());
            if (shift.psi() > s.psiThreshold() && reports++ == 0) {
                m.put("first_report_hours", (last - start) / 3_600_000.0);
                m.put("first_report_feature", (double) shift.feature());
                m.put("first_report_psi", shift.psi());
                m.put("first_report_rows", (double) entities.rows());
                m.put("first_report_entities", (double) entities.distinct());
            }
        }
        m.put("simulated_hours", (last - start) / 3_600_000.0);
        m.put("comparisons", (double) comparisons);
        m.put("comparisons_above_threshold", (double) reports);
        m.put("max_psi", max);
        return m;
    }

    /** The results as a table for people. */
    public static String table(Map<String, Map<String, Double>> results) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-34s %9s %11s %9s  %-36s %8s%n", "domain/drift/seed",
                "sim hours", "comparisons", "above", "first report (hour, feature, PSI, rows, entities)", "max PSI"));
        results.forEach((run, m) -> {
            String first = Double.isNaN(m.get("first_report_hours")) ? "never" : String.format(Locale.ROOT,
                    "%.1f h, feature %.0f, %.2f, %,.0f rows, %.0f", m.get("first_report_hours"), m.get("first_report_feature"),
                    m.get("first_report_psi"), m.get("first_report_rows"), m.get("first_report_entities"));
            b.append(String.format(Locale.ROOT, "%-34s %9.0f %11.0f %9.0f  %-36s %8.2f%n", run, m.get("simulated_hours"),
                    m.get("comparisons"), m.get("comparisons_above_threshold"), first, m.get("max_psi")));
        });
        return b.toString();
    }
}
