package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Execution environments with Kingfisher's runtime choices: RocksDB keyed state (incremental checkpoints, behind
 * Flink's state changelog unless {@code state.changelog} is off), exactly-once checkpoints at the configured interval,
 * a short network buffer timeout for latency.
 */
public final class FlinkEnvironments {
    private FlinkEnvironments() {
    }

    /** Whether keyed state changes are also logged to the changelog storage ({@code state.changelog}). */
    public enum StateChangelog {
        ON, OFF
    }

    /** Checkpoints whose statistics a local MiniCluster's REST endpoint keeps: a few minutes' worth. */
    public static final int CHECKPOINT_HISTORY = 500;

    /** Where the state changelog goes, under {@code checkpoint.dir}. */
    public static final String CHANGELOG_SUBDIR = "changelog";

    /**
     * The settings every environment gets, local or cluster.
     *
     * <p>With {@code state.changelog} off, the synchronous part of every checkpoint takes a RocksDB native checkpoint,
     * which flushes the memtable to a new file and waits for it on the task's thread: measured at 40 to 100 ms per
     * checkpoint on each keyed stage here, a pause of the pipeline twice a second. With it on, each keyed-state change
     * is also appended to a log written to files under {@code checkpoint.dir} while the job runs, a checkpoint is
     * RocksDB's last materialization plus the log since, and RocksDB's own snapshot runs once per
     * {@code state.materialize_interval}. RocksDB's memtable is then flushed only when full, so its size is set here
     * ({@code state.write_buffer_mb}, 4 MiB): at Flink's default of 64 MiB every state write was an insert into a
     * skip list of up to that size, which took fraud's card stage about 1.6 times the CPU per event. See
     * docs/design-notes.md, "The state changelog".
     */
    public static Configuration flinkConfiguration(Config config) {
        return flinkConfiguration(config, new Configuration());
    }

    /**
     * As {@link #flinkConfiguration(Config)}, with a caller's own settings (a local MiniCluster's size, a benchmark's)
     * over the jobs' and under the {@code flink.<option>} settings, which are applied last so that the user's win.
     */
    public static Configuration flinkConfiguration(Config config, Configuration callers) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE, MemorySize.ofMebiBytes(config.get(JobSettings.STATE_WRITE_BUFFER_MB)));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        String checkpoints = config.get(JobSettings.CHECKPOINT_DIR);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints);
        if (config.get(JobSettings.STATE_CHANGELOG) == StateChangelog.ON) {
            conf.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
            conf.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
            conf.set(FsStateChangelogOptions.BASE_PATH, changelogDir(checkpoints));
            conf.set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL, config.get(JobSettings.STATE_MATERIALIZE_INTERVAL));
        }
        conf.addAll(callers);
        conf.addAll(Configuration.fromMap(config.under(JobSettings.FLINK.prefix())));
        return conf;
    }

    /** @return the state changelog's base path under the checkpoint directory {@code checkpoints} */
    static String changelogDir(String checkpoints) {
        return checkpoints.endsWith("/") ? checkpoints + CHANGELOG_SUBDIR : checkpoints + "/" + CHANGELOG_SUBDIR;
    }

    /** The environment of the submitting client: a cluster's under {@code flink run}, else a local one. */
    public static StreamExecutionEnvironment forCluster(Config config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        return configure(env, config);
    }

    /** An in-process MiniCluster with one slot per unit of parallelism and modest managed memory for RocksDB. */
    public static StreamExecutionEnvironment local(Config config) {
        return local(config, 0);
    }

    /**
     * As {@link #local(Config)}, with the MiniCluster's REST endpoint (Flink's web API, checkpoint statistics
     * included) on {@code restPort} (0: any free port) keeping the statistics of the last
     * {@value #CHECKPOINT_HISTORY} checkpoints.
     */
    public static StreamExecutionEnvironment local(Config config, int restPort) {
        return configure(StreamExecutionEnvironment.createLocalEnvironment(config.get(JobSettings.PARALLELISM),
                localConfiguration(config, restPort)), config);
    }

    /** The MiniCluster's configuration for {@link #local(Config, int)}: the jobs' own, its size, then the {@code flink.<option>} settings. */
    static Configuration localConfiguration(Config config, int restPort) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, String.valueOf(restPort));
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, CHECKPOINT_HISTORY);
        int parallelism = config.get(JobSettings.PARALLELISM);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        return flinkConfiguration(config, conf);
    }

    private static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, Config config) {
        env.setParallelism(config.get(JobSettings.PARALLELISM));
        env.enableCheckpointing(config.get(JobSettings.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.setBufferTimeout(config.get(JobSettings.BUFFER_TIMEOUT).toMillis());
        return env;
    }
}
