package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.config.ConfigException;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlinkEnvironmentsTest {
    private static Configuration flink(String... keyValues) {
        return FlinkEnvironments.flinkConfiguration(settings(keyValues));
    }

    private static Config settings(String... keyValues) {
        Map<String, String> m = new HashMap<>(Map.of("kafka.bootstrap.servers", "localhost:9092",
                "schema.registry.url", "http://localhost:8081"));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Config.of(m, JobSettings.ALL, JobSettings.FLINK);
    }

    @Test
    void logsStateChangesBesideTheCheckpointsByDefault() {
        for (Configuration conf : new Configuration[]{flink("checkpoint.dir", "file:///data/kf/checkpoints"),
                flink("checkpoint.dir", "file:///data/kf/checkpoints", "state.changelog", "on")}) {
            assertTrue(conf.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG));
            assertEquals("filesystem", conf.get(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE));
            assertEquals("file:///data/kf/checkpoints/changelog", conf.get(FsStateChangelogOptions.BASE_PATH));
            assertEquals(Duration.ofMinutes(1), conf.get(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL));
            assertEquals("file:///data/kf/checkpoints", conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
            assertTrue(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        }
    }

    @Test
    void materializesAtTheConfiguredInterval() {
        Configuration conf = flink("checkpoint.dir", "s3://bucket/kf/", "state.changelog", "ON", "state.materialize_interval", "5m");
        assertEquals("s3://bucket/kf/changelog", conf.get(FsStateChangelogOptions.BASE_PATH));
        assertEquals(Duration.ofMinutes(5), conf.get(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL));
    }

    @Test
    void offLeavesRocksDbToSnapshotAtEveryCheckpoint() {
        Configuration conf = flink("state.changelog", "off");
        assertFalse(conf.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG));
        assertFalse(conf.contains(FsStateChangelogOptions.BASE_PATH));
        assertEquals("rocksdb", conf.get(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND));
        assertTrue(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
    }

    @Test
    void keepsRocksDbsMemtableSmall() {
        assertEquals(MemorySize.ofMebiBytes(4), flink().get(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE));
        assertEquals(MemorySize.ofMebiBytes(64), flink("state.write_buffer_mb", "64").get(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE));
    }

    @Test
    void aBadValueFailsNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> flink("state.changelog", "maybe"));
        assertTrue(e.getMessage().contains("state.changelog"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> flink("state.materialize_interval", "10ms"));
        assertTrue(e.getMessage().contains("state.materialize_interval"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> flink("state.write_buffer_mb", "0"));
        assertTrue(e.getMessage().contains("state.write_buffer_mb"), e.getMessage());
    }

    @Test
    void flinkSettingsGoToFlinkAsTheyAreAndOverrideKingfishers() {
        Configuration conf = flink("flink.taskmanager.memory.segment-size", "128kb",
                "flink.state.backend.rocksdb.writebuffer.size", "8mb", "state.write_buffer_mb", "16");
        assertEquals(MemorySize.parse("128kb"), conf.get(org.apache.flink.configuration.TaskManagerOptions.MEMORY_SEGMENT_SIZE));
        assertEquals(MemorySize.ofMebiBytes(8), conf.get(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE),
                "flink.<option> is set after Kingfisher's own settings");
        assertFalse(conf.containsKey("flink.taskmanager.memory.segment-size"), "the prefix stays with Kingfisher");
    }

    @Test
    void flinkSettingsOverrideTheLocalMiniClustersOwnSizeToo() {
        Configuration conf = FlinkEnvironments.localConfiguration(settings("job.parallelism", "3"), 0);
        assertEquals(MemorySize.parse("64m"), conf.get(TaskManagerOptions.NETWORK_MEMORY_MAX));
        assertEquals(3, conf.get(TaskManagerOptions.NUM_TASK_SLOTS));
        conf = FlinkEnvironments.localConfiguration(settings("flink.taskmanager.memory.network.max", "128mb",
                "flink.taskmanager.memory.managed.size", "512mb", "flink.taskmanager.numberOfTaskSlots", "4"), 0);
        assertEquals(MemorySize.parse("128mb"), conf.get(TaskManagerOptions.NETWORK_MEMORY_MAX));
        assertEquals(MemorySize.parse("512mb"), conf.get(TaskManagerOptions.MANAGED_MEMORY_SIZE));
        assertEquals(4, conf.get(TaskManagerOptions.NUM_TASK_SLOTS));
        assertEquals(MemorySize.parse("64m"), conf.get(TaskManagerOptions.NETWORK_MEMORY_MIN), "the rest as the local stack sets it");
    }

    @Test
    void aFlinkOptionFlinkDoesNotHaveOrCannotReadFailsNamingTheKey() {
        // Flink 2 dropped the per-channel buffer options; its Configuration would take the key and ignore it
        ConfigException e = assertThrows(ConfigException.class,
                () -> flink("flink.taskmanager.network.memory.buffers-per-channel", "64"));
        assertEquals("flink.taskmanager.network.memory.buffers-per-channel", e.key());
        assertTrue(e.getMessage().contains("has no option 'taskmanager.network.memory.buffers-per-channel'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> flink("flink.execution.checkpointing.interval", "5s"));
        assertEquals("flink.execution.checkpointing.interval: the jobs set execution.checkpointing.interval themselves; "
                + "set checkpoint.interval", e.getMessage(), "what the environment sets from a Kingfisher setting");
        e = assertThrows(ConfigException.class, () -> flink("flink.taskmanager.memory.segment-size", "big"));
        assertEquals("flink.taskmanager.memory.segment-size", e.key());
        assertTrue(e.getMessage().contains("cannot read 'big'"), e.getMessage());
    }

    @Test
    void knowsTheOptionsOfRocksDbAndTheChangelogToo() {
        assertEquals(MemorySize.parse("1mb"), flink("flink.state.changelog.dstl.dfs.preemptive-persist-threshold", "1mb")
                .get(FsStateChangelogOptions.PREEMPTIVE_PERSIST_THRESHOLD));
        assertEquals(Boolean.TRUE, flink("flink.state.backend.rocksdb.use-bloom-filter", "true")
                .get(RocksDBConfigurableOptions.USE_BLOOM_FILTER));
    }
}
