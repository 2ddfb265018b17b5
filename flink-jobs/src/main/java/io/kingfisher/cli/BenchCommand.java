package io.kingfisher.cli;

import io.kingfisher.bench.FeatureBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kingfisher bench …}: benchmarks that print a table (and optionally JSON). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print a table.",
        subcommands = {BenchCommand.Features.class})
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

        @Override
        public Integer call() throws Exception {
            if (events < 1000 || entities < 1) {
                throw new IllegalArgumentException("--events must be >= 1000 and --entities >= 1");
            }
            Map<String, Map<String, Double>> results = FeatureBench.run(events, entities);
            System.out.println(FeatureBench.table(results));
            if (json != null) {
                FeatureBench.writeJson(results, json);
                System.out.println("written to " + json);
            }
            return 0;
        }
    }
}
