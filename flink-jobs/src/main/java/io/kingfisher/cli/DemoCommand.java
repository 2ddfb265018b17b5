package io.kingfisher.cli;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.sim.Simulators;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code kingfisher demo}: the local stack driven by a simulator, with live progress and a summary. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the local stack, drive it with simulated events, and report exactly-once counts and latency.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack;

    @Option(names = "--domain", description = "built-in domain (default: ${DEFAULT-VALUE})", defaultValue = "fraud")
    String domainName;

    @Option(names = "--duration", description = "how long to produce events, e.g. 60s, 5m (default: ${DEFAULT-VALUE})", defaultValue = "60s")
    String duration;

    @Option(names = "--rate", description = "events per second, or 'max' (default: ${DEFAULT-VALUE})", defaultValue = "1000")
    String rate;

    @Option(names = "--bad-every", description = "inject a malformed record every N events, 0 = none (default: ${DEFAULT-VALUE})", defaultValue = "500")
    int badEvery;

    @Option(names = "--drain-timeout", description = "how long to wait for the last scores after producing stops (default: ${DEFAULT-VALUE})", defaultValue = "60s")
    String drainTimeout;

    @Option(names = "--warmup", description = "run at the target rate this long before measuring latency (and, with --rate max, throughput: the run then waits for the warm-up's backlog to be scored first); warm-up events are counted like all others (default: ${DEFAULT-VALUE})", defaultValue = "10s")
    String warmup;

    @Option(names = "--drift", defaultValue = "default",
            description = "drift schedule: default (the domain's), none, or points like abrupt@30m,gradual@2h+1h (default: ${DEFAULT-VALUE})")
    String drift;

    @Option(names = "--time-scale", description = "simulated seconds per wall second (default: the domain's natural pace at --rate)")
    Double timeScale;

    @Option(names = "--summary-json", description = "also write the summary as JSON to this file")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        Domain domain = BuiltInDomains.byName(domainName);
        Duration d = Flags.positiveDuration("--duration", duration);
        Duration drain = Flags.duration("--drain-timeout", drainTimeout);
        Duration warm = Flags.duration("--warmup", warmup);
        double eps = Flags.rateOrMax("--rate", rate);
        if (badEvery < 0) {
            throw new IllegalArgumentException("--bad-every: must be >= 0, was " + badEvery);
        }
        if (timeScale != null && !(timeScale > 0)) {
            throw new IllegalArgumentException("--time-scale: must be > 0, was " + timeScale);
        }
        if (timeScale != null && eps <= 0) {
            throw new IllegalArgumentException("--time-scale: needs a numeric --rate (the rate and the scale set the population)");
        }
        io.kingfisher.sim.Simulator simulator;
        io.kingfisher.sim.TimeScale scale = timeScale == null ? io.kingfisher.sim.TimeScale.NATURAL
                : io.kingfisher.sim.TimeScale.of(timeScale, eps);
        try {
            simulator = Simulators.forDomain(domain, stack.seed, drift, scale);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--drift/--time-scale: " + e.getMessage(), e);
        }
        long launched = launchedAt();
        try (LocalStack running = Launcher.launch(stack, domain, System.out, scale)) {
            System.out.printf("Demo             %s at %s events/s for %s (malformed record every %d)%n", domain.name(),
                    eps > 0 ? String.format("%,.0f", eps) : "max", duration, badEvery);
            DemoRun run = DemoRun.simulated(domain, running.bootstrapServers(), running.registryUrl(),
                    simulator, badEvery, eps, d, drain, warm, System.out, launched)
                    .checkpoints(running::scoringCheckpointPauses);
            if (stack.learn) {
                run.learning(LearningTracker.forStack(domain, running, stack.jobOverrides(),
                        LearningTracker.firstDriftAt(simulator, drift, domain)));
            }
            DemoSummary summary = run.run();
            System.out.println(summary.toText());
            if (summaryJson != null) {
                summary.writeJson(summaryJson);
                System.out.println("summary written to " + summaryJson);
            }
            return summary.missing() == 0 && summary.duplicates() == 0 && summary.dlq() == summary.badIn() ? 0 : 3;
        } finally {
            stack.cleanUp();
        }
    }

    /** When the user launched the command: the script's timestamp if it passed one, else the JVM's start. */
    private static long launchedAt() {
        String env = System.getenv("KINGFISHER_LAUNCHED_AT_MS");
        if (env != null && env.matches("\\d{13}")) {
            return Long.parseLong(env);
        }
        return ManagementFactory.getRuntimeMXBean().getStartTime();
    }
}
