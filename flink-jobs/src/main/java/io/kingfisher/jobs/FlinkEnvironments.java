package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Execution environments with Kingfisher's runtime choices: RocksDB keyed state (incremental checkpoints),
 * exactly-once checkpoints at the configured interval, a short network buffer timeout for latency.
 */
public final class FlinkEnvironments {
    private FlinkEnvironments() {
    }

    /** The settings every environment gets, local or cluster. */
    public static Configuration flinkConfiguration(Config config) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.get(JobSettings.CHECKPOINT_DIR));
        return conf;
    }

    /** The environment of the submitting client: a cluster's under {@code flink run}, else a local one. */
    public static StreamExecutionEnvironment forCluster(Config config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        return configure(env, config);
    }

    /** An in-process MiniCluster with one slot per unit of parallelism and modest managed memory for RocksDB. */
    public static StreamExecutionEnvironment local(Config config) {
        Configuration conf = flinkConfiguration(config);
        int parallelism = config.get(JobSettings.PARALLELISM);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        return configure(StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf), config);
    }

    private static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, Config config) {
        env.setParallelism(config.get(JobSettings.PARALLELISM));
        env.enableCheckpointing(config.get(JobSettings.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.setBufferTimeout(config.get(JobSettings.BUFFER_TIMEOUT).toMillis());
        return env;
    }
}
