package io.kingfisher.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options shared by the commands that start the local stack. */
final class StackOptions {
    @Option(names = "--kafka-port", description = "Kafka listener port (default: a free one)", defaultValue = "0")
    int kafkaPort;

    @Option(names = "--registry-port", description = "schema registry port (default: a free one)", defaultValue = "0")
    int registryPort;

    @Option(names = "--data-dir", description = "where broker data, checkpoints and models go (default: a fresh temporary folder, removed at exit)")
    Path dataDir;

    @Option(names = "--parallelism", description = "Flink parallelism and partitions per topic (default: ${DEFAULT-VALUE})", defaultValue = "2")
    int parallelism;

    @Option(names = "--lookup-port", description = "start the online feature lookup, GET /features/<domain>/<entity>, on this "
            + "HTTP port (0 = a free one; default: off, it costs a fair share of two cores)", defaultValue = "-1")
    int lookupPort;

    @Option(names = "--learn", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "run the learning job too (feedback join, online fine-tuning, gating); --no-learn scores only")
    boolean learn;

    /** The job that scores: Kingfisher's, or the yardstick that measures what the stack leaves to any job. */
    enum Job {
        score, baseline
    }

    @Option(names = "--job", defaultValue = "score", description = "score: Kingfisher's scoring job; baseline: the least job "
            + "between the same topics (decode, one RocksDB value per entity, a score per event, exactly-once), to measure "
            + "what the stack leaves to any job; needs --no-learn (default: ${DEFAULT-VALUE})")
    Job job;

    @Option(names = "--seed", description = "simulator seed (default: ${DEFAULT-VALUE})", defaultValue = "42")
    long seed;

    @Option(names = "--history", description = "simulated events to warm-start the first model on (default: ${DEFAULT-VALUE})", defaultValue = "200000")
    int history;

    @Option(names = {"-D", "--set"}, description = "job setting key=value, e.g. -D checkpoint.interval=1s", mapFallbackValue = "")
    Map<String, String> settings = new LinkedHashMap<>();

    boolean temporary;

    /** The data folder to use, creating a temporary one if none was given. */
    Path resolveDataDir() throws IOException {
        if (dataDir == null) {
            dataDir = Files.createTempDirectory("kingfisher-");
            temporary = true;
        }
        Files.createDirectories(dataDir);
        return dataDir;
    }

    Map<String, String> jobOverrides() {
        Map<String, String> m = new LinkedHashMap<>(settings);
        m.putIfAbsent("job.parallelism", String.valueOf(parallelism));
        return m;
    }

    void cleanUp() {
        if (temporary && dataDir != null) {
            try (var walk = Files.walk(dataDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temp folder
            }
        }
    }
}
