package io.kingfisher.cli;

import io.kingfisher.bench.CompressionBench;
import io.kingfisher.bench.CudaScoringBench;
import io.kingfisher.bench.FeatureBench;
import io.kingfisher.bench.ScoringBench;
import io.kingfisher.scoring.ScoringBackend;
import io.kingfisher.scoring.cuda.BackendUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kingfisher bench …}: benchmarks that print a table (and optionally JSON). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print a table.",
        subcommands = {BenchCommand.Features.class, BenchCommand.Scoring.class, BenchCommand.Compression.class,
                BenchCommand.Learning.class, BenchCommand.Drift.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Feature operator throughput per core on RocksDB and state bytes per entity, per built-in domain. */
    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Events/s per core through the feature operator on RocksDB state, and state bytes per entity.")
    static final class Features implements Callable<Integer> {
        @Option(names = "--events", description = "events per domain (default: ${DEFAULT-VALUE})", defaultValue = "1000000")
        int events;

        @Option(names = "--entities", description = "entities (cards) for the fraud domain (default: ${DEFAULT-VALUE})", defaultValue = "100000")
        int entities;

        @Option(names = "--json", description = "also write the results as JSON")
        Path json;

        @Option(names = {"-D", "--set"}, description = "a Flink option for the bench's job, as the jobs take it: "
                + "flink.<option>=<value>, e.g. -D flink.state.backend.rocksdb.use-bloom-filter=true")
        Map<String, String> flink = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            if (events < 1000 || entities < 1) {
                throw new IllegalArgumentException("--events must be >= 1000 and --entities >= 1");
            }
            Map<String, Map<String, Double>> results = FeatureBench.run(events, entities, flink);
            report(FeatureBench.table(results), results, json);
            return 0;
        }
    }

    /**
     * Micro-batched scoring against per-event {@code network.output()}, per built-in domain, on the same model and events;
     * with {@code --backend cuda}, the cuBLAS backend beside ND4J on the CPU instead.
     */
    @Command(name = "scoring", mixinStandardHelpOptions = true,
            description = {"Events/s per core and per-event latency of micro-batched scoring against one network.output() per event.",
                    "With --backend cuda: events/s and batch latency of the cuBLAS backend beside ND4J on the CPU, and their "
                            + "largest score difference, per domain and batch size (exit code 4 without a usable GPU)."})
    static final class Scoring implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--train", description = "simulated events each domain's model is trained on (default: ${DEFAULT-VALUE})",
                defaultValue = "" + ScoringBench.DEFAULT_TRAIN)
        int train;

        @Option(names = "--events", description = "held-out events each path scores (default: ${DEFAULT-VALUE})",
                defaultValue = "" + ScoringBench.DEFAULT_EVENTS)
        int events;

        @Option(names = {"--batch", "--batch-sizes"}, split = ",", description = "batch sizes; without --backend the largest "
                + "is the headline (default: 64,256; with --backend cuda: 1,64,256,4096,65536)")
        List<Integer> batches;

        @Option(names = "--backend", description = "nd4j (the default: batched against per-event ND4J) or cuda (cuBLAS on "
                + "the GPU beside ND4J on the CPU)", defaultValue = "nd4j")
        String backend;

        @Option(names = "--json", description = "also write the results as JSON")
        Path json;

        @Option(names = "--dry-run", hidden = true, description = "with --backend cuda: the plain-Java reference stands in "
                + "for the GPU (checks the bench and its packaging on a machine without one)")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            ScoringBackend b = ScoringBackend.parse(backend);
            if (b == ScoringBackend.CUDA_OR_CPU) {
                throw new IllegalArgumentException("--backend must be nd4j or cuda, was " + backend);
            }
            if (b == ScoringBackend.ND4J) {
                Map<String, Map<String, Object>> results = ScoringBench.run(train, events,
                        batches == null ? ScoringBench.DEFAULT_BATCH_SIZES : batches);
                report(ScoringBench.table(results), results, json);
                return 0;
            }
            List<Integer> sizes = batches == null ? CudaScoringBench.DEFAULT_BATCH_SIZES : batches;
            Map<String, Map<String, Object>> results;
            try {
                results = CudaScoringBench.run(train, events, sizes, dryRun);
            } catch (BackendUnavailableException e) {
                spec.commandLine().getErr().println("kingfisher: " + e.problem());
                return Kingfisher.NO_GPU;
            }
            report(CudaScoringBench.table(results), results, json);
            return 0;
        }
    }

    /** Payload size and AUC of int8 against float models on the same held-out events, per built-in domain. */
    @Command(name = "compression", mixinStandardHelpOptions = true,
            description = "Payload bytes, AUC and score differences of int8 (dl4j-int8-v1) against float models.")
    static final class Compression implements Callable<Integer> {
        @Option(names = "--train", description = "simulated events each domain's model is trained on (default: ${DEFAULT-VALUE})",
                defaultValue = "" + CompressionBench.DEFAULT_TRAIN)
        int train;

        @Option(names = "--events", description = "held-out events scored by both models (default: ${DEFAULT-VALUE})",
                defaultValue = "" + CompressionBench.DEFAULT_EVENTS)
        int events;

        @Option(names = "--json", description = "also write the results as JSON")
        Path json;

        @Override
        public Integer call() throws Exception {
            Map<String, Map<String, Double>> results = CompressionBench.run(train, events);
            report(CompressionBench.table(results), results, json);
            return 0;
        }
    }

    /** Examples/s per core the online learner keeps up with, per built-in domain. */
    @Command(name = "learning", mixinStandardHelpOptions = true,
            description = "Training examples/s per core through the online learner (test-then-train, gate, drift, tuning).")
    static final class Learning implements Callable<Integer> {
        @Option(names = "--history", description = "simulated events of the warm start (default: ${DEFAULT-VALUE})", defaultValue = "30000")
        int history;

        @Option(names = "--examples", description = "examples fed to the learner per domain (default: ${DEFAULT-VALUE})", defaultValue = "40000")
        int examples;

        @Option(names = "--json", description = "also write the results as JSON")
        Path json;

        @Override
        public Integer call() throws Exception {
            if (history < 1000 || examples < 1000) {
                throw new IllegalArgumentException("--history and --examples must be >= 1000");
            }
            Map<String, Map<String, Double>> results = io.kingfisher.bench.LearningBench.run(history, examples);
            report(io.kingfisher.bench.LearningBench.table(results), results, json);
            return 0;
        }
    }

    /** When PSI reports drift in simulated streams with and without the drift demos' drift. */
    @Command(name = "drift", mixinStandardHelpOptions = true,
            description = "When PSI first reports drift, and the largest PSI, in simulated streams of the drift demos, with their "
                    + "drift and without any, against the warm start's golden set.")
    static final class Drift implements Callable<Integer> {
        @Option(names = "--domain", split = ",", description = "domains (default: all built-in)")
        List<String> domains;

        @Option(names = "--seeds", description = "streams per domain and drift (default: ${DEFAULT-VALUE})", defaultValue = "3")
        int seeds;

        @Option(names = "--history", description = "simulated events of the warm start (default: ${DEFAULT-VALUE})", defaultValue = "40000")
        int history;

        @Option(names = "--set", description = "a learning.* setting over the job's default, KEY=VALUE (repeatable), "
                + "e.g. learning.drift.psi_min_entities=150")
        Map<String, String> settings;

        @Option(names = "--json", description = "also write the results as JSON")
        Path json;

        @Override
        public Integer call() throws Exception {
            if (seeds < 1 || history < 1000) {
                throw new IllegalArgumentException("--seeds must be >= 1 and --history >= 1000");
            }
            List<String> names = domains == null ? io.kingfisher.domain.BuiltInDomains.NAMES : domains;
            for (String d : names) {
                if (!io.kingfisher.domain.BuiltInDomains.NAMES.contains(d)) {
                    throw new IllegalArgumentException("--domain: no built-in domain '" + d + "' (have "
                            + io.kingfisher.domain.BuiltInDomains.NAMES + ")");
                }
            }
            Map<String, Map<String, Double>> results = io.kingfisher.bench.DriftBench.run(names, seeds, history,
                    settings == null ? Map.of() : settings);
            report(io.kingfisher.bench.DriftBench.table(results), results, json);
            return 0;
        }
    }

    /** Prints a benchmark's table and, when asked, writes its results as JSON. */
    static void report(String table, Map<String, ? extends Map<String, ?>> results, Path json) throws java.io.IOException {
        System.out.println(table.stripTrailing());
        if (json != null) {
            io.kingfisher.bench.BenchJson.write(results, json);
            System.out.println("written to " + json);
        }
    }
}
