package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.config.Setting;
import io.kingfisher.scoring.ScoringBackend;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Every setting of the scoring job, declared once; {@link #ALL} also holds the learning job's ({@link LearnSettings}). */
public final class JobSettings {
    private JobSettings() {
    }

    public static final Setting<String> BOOTSTRAP = Setting.string("kafka.bootstrap.servers",
            "Kafka bootstrap servers, host:port[,host:port]", null);
    public static final Setting<String> REGISTRY_URL = Setting.string("schema.registry.url",
            "Confluent-compatible schema registry URL", null);
    public static final Setting<Integer> PARALLELISM = Setting.integer("job.parallelism",
            "parallelism of every operator", 2, 1, 1024);
    public static final Setting<Duration> CHECKPOINT_INTERVAL = Setting.duration("checkpoint.interval",
            "checkpoint interval; exactly-once output becomes visible to read_committed consumers at each checkpoint",
            Duration.ofMillis(500), Duration.ofMillis(50));
    public static final Setting<String> CHECKPOINT_DIR = Setting.string("checkpoint.dir",
            "where checkpoints go (any Flink FileSystem URI)", "file:///tmp/kingfisher/checkpoints");
    public static final Setting<FlinkEnvironments.StateChangelog> STATE_CHANGELOG = Setting.choice("state.changelog",
            "on: every keyed-state change is also logged to files under checkpoint.dir, so a checkpoint does not pause "
                    + "each keyed stage while RocksDB flushes its memtable (RocksDB's own snapshot runs every "
                    + "state.materialize_interval instead); off: RocksDB snapshots at every checkpoint, no log to store",
            FlinkEnvironments.StateChangelog.ON, FlinkEnvironments.StateChangelog.class);
    public static final Setting<Duration> STATE_MATERIALIZE_INTERVAL = Setting.duration("state.materialize_interval",
            "with state.changelog on: how often RocksDB's state is snapshotted, after which the log before it can go "
                    + "(longer: fewer RocksDB flushes, more log to keep and to replay on a restore)",
            Duration.ofMinutes(1), Duration.ofSeconds(1));
    public static final Setting<Integer> STATE_WRITE_BUFFER_MB = Setting.integer("state.write_buffer_mb",
            "RocksDB's memtable (MiB) per keyed state: when full, it is flushed to a file in the background; every write "
                    + "is a skip-list insert whose cost grows with the memtable, which with state.changelog on is flushed only "
                    + "when full (off: also at every checkpoint)",
            4, 1, 1024);
    public static final Setting<Duration> BUFFER_TIMEOUT = Setting.duration("pipeline.buffer_timeout",
            "longest a network buffer waits to fill before it is sent (latency vs throughput)", Duration.ofMillis(5), Duration.ZERO);
    public static final Setting<Duration> FEATURE_TTL = Setting.duration("features.state_ttl",
            "an entity's feature state expires after this long without events", Duration.ofDays(30), Duration.ofSeconds(1));
    public static final Setting<Integer> FEATURE_STATE_CACHE_MB = Setting.integer("features.state_cache_mb",
            "heap (MiB) per scoring subtask for the latest states of the entities seen, so an entity seen again is not read "
                    + "back from RocksDB (writes still go to RocksDB at once); 0 reads every event's state from RocksDB",
            (int) (io.kingfisher.features.flink.FeatureFunction.DEFAULT_STATE_CACHE_BYTES >> 20), 0, 1 << 20);
    public static final Setting<FeatureVectors.Publish> FEATURES_PUBLISH = Setting.choice("features.publish",
            "write each scored event's vector to <domain>.features for the online lookup (on), or not (off: the lookup "
                    + "then has nothing to serve; at full speed the topic costs about a tenth of the scoring job's throughput)",
            FeatureVectors.Publish.ON, FeatureVectors.Publish.class);
    public static final Setting<Duration> TRANSACTION_TIMEOUT = Setting.duration("sink.transaction_timeout",
            "Kafka transaction timeout of the exactly-once sinks (at most the broker's transaction.max.timeout.ms)",
            Duration.ofSeconds(60), Duration.ofSeconds(1));
    public static final Setting<String> GROUP_ID = Setting.string("source.group_id",
            "consumer group of the event source (default kingfisher-score-<domain>)", "");
    public static final Setting<String> MODEL_HMAC_KEY = Setting.string("model.hmac_key",
            "secret for signing and verifying model snapshots (HMAC-SHA256); empty = unsigned", "");

    public static final Setting<Integer> BATCH_SIZE = Setting.integer("scoring.batch_size",
            "most events scored in one model call (1 = one call per event)", 256, 1, 65_536);
    public static final Setting<Duration> BATCH_TIMEOUT = Setting.duration("scoring.batch_timeout",
            "longest an event waits for its micro-batch to fill (0 = never wait)", Duration.ofMillis(5), Duration.ZERO);
    public static final Setting<Duration> MAX_MODEL_AGE = Setting.duration("scoring.max_model_age",
            "oldest a model may be (now minus its snapshot's created_at) to score; while it is older, events are held "
                    + "in checkpointed state until a fresher snapshot is accepted (0 = no limit)", Duration.ZERO, Duration.ZERO);

    public static final Setting<ScoringBackend> BACKEND = Setting.choice(ScoringBackend.SETTING,
            "what scores: nd4j (ND4J on the CPU), cuda (cuBLAS on the GPU; the job fails at start-up without a usable GPU) "
                    + "or cuda-or-cpu (the GPU if usable, else ND4J after one warning)", ScoringBackend.ND4J,
            ScoringBackend.class, ScoringBackend::configName);

    /**
     * {@code flink.<option>}: a Flink option, handed to Flink's configuration as it is, after Kingfisher's own (so it
     * overrides them), in the jobs' and in the local MiniCluster's; one Flink does not have, or a value it cannot
     * read, fails at start-up ({@link FlinkOptions}).
     */
    public static final Config.PassThrough FLINK = new Config.PassThrough("flink.", FlinkOptions::check);

    public static final List<Setting<?>> ALL = Stream.concat(Stream.<Setting<?>>of(BOOTSTRAP, REGISTRY_URL, PARALLELISM,
            CHECKPOINT_INTERVAL, CHECKPOINT_DIR, STATE_CHANGELOG, STATE_MATERIALIZE_INTERVAL, STATE_WRITE_BUFFER_MB, BUFFER_TIMEOUT, FEATURE_TTL, FEATURE_STATE_CACHE_MB, FEATURES_PUBLISH, TRANSACTION_TIMEOUT, GROUP_ID, MODEL_HMAC_KEY,
            BATCH_SIZE, BATCH_TIMEOUT, MAX_MODEL_AGE, BACKEND), LearnSettings.ALL.stream()).toList();
}
