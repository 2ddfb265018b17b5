package io.kingfisher.bench;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.models.WarmStart;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.sim.Simulator;
import io.kingfisher.sim.Simulators;
import io.kingfisher.trainer.GoldenSet;
import io.kingfisher.trainer.online.Example;
import io.kingfisher.trainer.online.LearnerSettings;
import io.kingfisher.trainer.online.OnlineLearner;
import org.apache.avro.generic.IndexedRecord;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many training examples a second the online learner keeps up with, per built-in domain: the full test-then-
 * train step (champion, frozen warm start and every member score the mini-batch, each member takes an optimiser
 * step, windows, drift detectors, the gate once a second of simulated cadence), on one thread, with the population
 * of the defaults and with a single member, side by side on the same examples. The trainer must run faster than
 * labels arrive, or model freshness grows without bound.
 */
public final class LearningBench {
    /** Examples per CPU second of the learner's thread, with the default population. */
    public static final String EXAMPLES_PER_SEC = "examples_per_sec_per_core";
    /** The same with a population of one (no tuning). */
    public static final String EXAMPLES_PER_SEC_SINGLE = "examples_per_sec_per_core_population_1";

    private LearningBench() {
    }

    /** @return per domain, the figures above */
    public static Map<String, Map<String, Double>> run(int history, int examples) throws Exception {
        Nd4jThreads.configure(1); // as in the jobs
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String name : BuiltInDomains.NAMES) {
            Domain domain = BuiltInDomains.byName(name);
            Path store = Files.createTempDirectory("kingfisher-bench-learning-");
            Simulator sim = Simulators.forDomain(domain, 7L);
            WarmStart.Result warm = WarmStart.trainOnSimulation(domain, sim, history, store.toUri().toString(), null);
            GoldenSet golden = warm.golden();
            List<Example> stream = examples(domain, sim, examples);
            double lr = Double.parseDouble(warm.snapshot().getTrainerConfig().get("trainer.learning_rate"));
            LearnerSettings d = LearnerSettings.defaults();
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(EXAMPLES_PER_SEC, measure(new OnlineLearner(d, warm.training().network(), 1, golden, lr), stream));
            LearnerSettings single = d.withPopulation(1);
            m.put(EXAMPLES_PER_SEC_SINGLE, measure(new OnlineLearner(single, warm.training().network(), 1, golden, lr), stream));
            m.put("batch_size", (double) d.batchSize());
            m.put("population", (double) d.population());
            out.put(name, m);
        }
        return out;
    }

    private static List<Example> examples(Domain domain, Simulator sim, int n) {
        AvroInputBinding binding = domain.inputBinding();
        OfflineFeatures features = new OfflineFeatures(domain.features());
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SimulatedEvent ev = sim.next();
            InputEvent in = binding.extract((IndexedRecord) ev.value(), 0L);
            out.add(new Example(features.next(in), ev.positive() ? 1f : 0f, 0.01, 1, in.eventTime, i + 1, "label", 0, i));
        }
        return out;
    }

    /** Examples per CPU second of this thread; the simulated clock advances 1 ms an example (a decision a second). */
    private static double measure(OnlineLearner learner, List<Example> stream) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int warm = Math.min(stream.size() / 5, 5_000);
        for (int i = 0; i < warm; i++) {
            learner.learn(stream.get(i), i);
        }
        long cpu0 = threads.getCurrentThreadCpuTime();
        for (int i = warm; i < stream.size(); i++) {
            learner.learn(stream.get(i), i);
        }
        double seconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        return (stream.size() - warm) / Math.max(1e-9, seconds);
    }

    /** The results as a table for people. */
    public static String table(Map<String, Map<String, Double>> results) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-10s %28s %28s%n", "domain",
                "examples/s/core (population)", "examples/s/core (1 member)"));
        results.forEach((domain, m) -> b.append(String.format(Locale.ROOT, "%-10s %22.0f (%.0f) %28.0f%n", domain,
                m.get(EXAMPLES_PER_SEC), m.get("population"), m.get(EXAMPLES_PER_SEC_SINGLE))));
        return b.toString();
    }
}
