package io.kingfisher.cli;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.sim.Simulator;
import io.kingfisher.sim.Simulators;
import io.kingfisher.sim.TimeScale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole loop on the local stack, for each built-in domain: simulated events and labels with a drift early in
 * the run, the scoring job, the learning job (feedback join, online trainer, gate) publishing snapshots that the
 * scorer swaps in. After the drift, the served (online) scores must beat a frozen copy of the warm-start model,
 * scored in shadow on the same events, by a clear margin; every event is still scored exactly once.
 *
 * <p>Simulated time is compressed ({@code timeScale} simulated seconds a wall second) so that the labels of the
 * post-drift events (chargebacks days later, outcomes hours later) arrive within the run.
 */
class LearningLoopIT {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // domain, drift (';' for ','), time scale, rate, seconds, least AUC gain of online over frozen after the drift
            // fraud: card testing takes over on day 2; online beat frozen by +0.018 to +0.046 over the runs recorded in
            // docs/benchmarks.md: the test asks for a clear +0.01, the demo target of +0.02 is tracked in the docs.
            // clinical: surgical patients are admitted from hour 2, and at 4 simulated hours a second (25 days in
            // the 150 s run) the wards turn over many times, so most examples after the drift are of the new
            // population and the frozen model has fallen behind (0.860-0.863 after the drift). In 75 s (12.5 days,
            // about 15 deteriorations) online gained only +0.011 to +0.018; in 150 s it beat frozen by +0.033 to
            // +0.038 in two demos and two runs of this test (docs/benchmarks.md): the test asks for +0.015, the demo target of +0.02 is tracked in the docs.
            // At 4800 (100 h, under three median stays) the examples after the drift were mostly patients admitted
            // before it and frozen lost nothing to gain back.
            "clicks,   abrupt@3h,           300,   800, 75, 0.02",
            "fraud,    abrupt@1d;abrupt@2d, 17280, 800, 75, 0.01",
            "clinical, abrupt@1h;abrupt@2h, 14400, 800, 150, 0.015",
    })
    void onlineBeatsFrozenAfterTheDrift(String name, String drift, double timeScale, double rate, int seconds,
                                        double minGain, @TempDir Path dir) throws Exception {
        Domain domain = BuiltInDomains.byName(name);
        drift = drift.replace(';', ','); // CSV-safe in the source above
        StackOptions o = new StackOptions();
        o.dataDir = dir;
        o.parallelism = 1;
        o.learn = true;
        o.seed = 42;
        o.history = 40_000;
        PrintStream out = System.out;
        TimeScale scale = TimeScale.of(timeScale, rate);
        try (LocalStack stack = Launcher.launch(o, domain, out, scale)) { // history of the same population
            Simulator simulator = Simulators.forDomain(domain, o.seed, drift, scale);
            LearningTracker judge = LearningTracker.forStack(domain, stack, o.jobOverrides(),
                    LearningTracker.firstDriftAt(simulator, drift, domain));
            DemoSummary s = DemoRun.simulated(domain, stack.bootstrapServers(), stack.registryUrl(), simulator, 0, rate,
                            Duration.ofSeconds(seconds), Duration.ofSeconds(60), Duration.ZERO, out, System.currentTimeMillis())
                    .learning(judge)
                    .run();
            out.println(s.toText());
            assertEquals(0, s.missing(), "every event scored");
            assertEquals(0, s.duplicates(), "exactly once");
            assertNotNull(s.prequential());
            assertTrue(s.snapshots().published() >= 3, "the trainer published: " + s.snapshots());
            assertTrue(s.prequential().examplesAfterDrift() > 1000, "examples after the drift: " + s.prequential());
            double online = s.prequential().aucAfterDrift();
            double frozen = s.frozen().aucAfterDrift();
            assertTrue(online > frozen + minGain, name + ": after the drift online AUC " + online + " vs frozen " + frozen
                    + " (least gain " + minGain + ")");
            assertTrue(s.modelVersions().size() > 1, "the scorer swapped in published versions: " + s.modelVersions());
        } finally {
            o.cleanUp();
        }
    }
}
