package io.kingfisher.cli;

import io.kingfisher.config.Config;
import io.kingfisher.domain.Domain;
import io.kingfisher.jobs.FlinkEnvironments;
import io.kingfisher.jobs.JobSettings;
import io.kingfisher.jobs.LearnJob;
import io.kingfisher.jobs.ScoreJob;
import io.kingfisher.local.EmbeddedKafkaBroker;
import io.kingfisher.local.EmbeddedSchemaRegistry;
import io.kingfisher.local.FreePorts;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.streams.features.FeatureLookupApp;
import io.kingfisher.streams.features.FeatureLookupConfig;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything on one machine: a real Kafka broker (KRaft, in-process), a Confluent-compatible schema registry,
 * and the Flink jobs on a MiniCluster. Closing it stops the jobs, then the registry, then the broker.
 */
public final class LocalStack implements AutoCloseable {
    private final Path dataDir;
    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final List<JobClient> jobs = new ArrayList<>();
    private volatile ModelSnapshot firstModel;
    private volatile FeatureLookupApp lookup;
    private volatile String modelStore;
    private volatile RunningJob scoring;

    private LocalStack(Path dataDir, EmbeddedKafkaBroker broker, EmbeddedSchemaRegistry registry) {
        this.dataDir = dataDir;
        this.broker = broker;
        this.registry = registry;
    }

    /** Starts broker and registry; port 0 picks a free one. */
    public static LocalStack start(Path dataDir, int kafkaPort, int registryPort) throws Exception {
        FeatureLookupApp.lowLatencyHttp(); // the JDK reads it once, before the first HTTP server (the registry's)
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), kafkaPort);
        try {
            EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), registryPort);
            return new LocalStack(dataDir, broker, registry);
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates the domain's topics ({@code partitions} each; the latest features compacted) and the compacted snapshot topic. */
    public void createTopics(Domain domain, int partitions) {
        for (String t : List.of(domain.eventsTopic(), domain.labelsTopic(), domain.scoresTopic(), domain.dlqTopic(),
                Topics.examples(domain.name()), Topics.learning(domain.name()))) {
            broker.createTopic(t, partitions, Map.of());
        }
        if (domain.outputs().alertsTopic() != null) {
            broker.createTopic(domain.outputs().alertsTopic(), partitions, Map.of());
        }
        if (domain.outputs().feedTopic() != null) {
            broker.createTopic(domain.outputs().feedTopic(), partitions, Map.of());
        }
        broker.createTopic(Topics.features(domain.name()), partitions, Map.of("cleanup.policy", "compact"));
        broker.createTopic(Topics.MODEL_SNAPSHOTS, 1, Map.of("cleanup.policy", "compact"));
        broker.createTopic(Topics.MODEL_REGISTRY, 1, Map.of("retention.ms", "-1"));
    }

    /** The job settings that point at this stack, plus the caller's overrides. */
    public Config jobConfig(Map<String, String> overrides) {
        Map<String, String> m = new HashMap<>();
        m.put(JobSettings.BOOTSTRAP.key(), bootstrapServers());
        m.put(JobSettings.REGISTRY_URL.key(), registryUrl());
        m.put(JobSettings.CHECKPOINT_DIR.key(), dataDir.resolve("checkpoints").toUri().toString());
        m.putAll(overrides);
        return Config.of(m, JobSettings.ALL, JobSettings.FLINK);
    }

    /** Records the warm-start model the jobs started from and the store holding it. */
    void firstModel(ModelSnapshot snapshot, String store) {
        this.firstModel = snapshot;
        this.modelStore = store;
    }

    /** @return the warm-start snapshot, or null before one was trained */
    public ModelSnapshot firstModel() {
        return firstModel;
    }

    /** @return the model store's root URI */
    public String modelStore() {
        return modelStore;
    }

    /** Submits the scoring job to a local MiniCluster and returns without waiting for it. */
    public JobClient startScoreJob(Domain domain, Config config, ModelSnapshot model, String modelStore) throws Exception {
        return startScoring("kingfisher-score-" + domain.name(), config,
                env -> new ScoreJob(domain, config, model, modelStore).buildOnKafka(env));
    }

    /** Submits the job {@code build} adds as this stack's scoring job, with its REST endpoint on a known port. */
    private JobClient startScoring(String name, Config config,
                                   java.util.function.Consumer<StreamExecutionEnvironment> build) throws Exception {
        int restPort = FreePorts.loopback();
        StreamExecutionEnvironment env = FlinkEnvironments.local(config, restPort);
        build.accept(env);
        JobClient job = env.executeAsync(name);
        jobs.add(job);
        scoring = new RunningJob(job, "http://localhost:" + restPort);
        return job;
    }

    /**
     * The checkpoints of the scoring (or baseline) job triggered between two wall-clock times: how long each task
     * paused for them ({@link CheckpointPauses}), from its MiniCluster's REST endpoint.
     *
     * @throws IllegalStateException when no such job was started
     * @throws java.io.IOException   when its statistics cannot be read
     */
    public CheckpointPauses scoringCheckpointPauses(long fromMillis, long toMillis) throws java.io.IOException {
        RunningJob j = scoring;
        if (j == null) {
            throw new IllegalStateException("no scoring job was started on this stack");
        }
        return CheckpointPauses.fetch(j.restUrl(), j.client().getJobID().toHexString(), fromMillis, toMillis);
    }

    private record RunningJob(JobClient client, String restUrl) {
    }

    /**
     * Submits the yardstick job ({@link io.kingfisher.bench.BaselineJob}) on the scoring job's topics instead of the
     * scoring job, and returns without waiting for it.
     */
    public JobClient startBaselineJob(Domain domain, Config config, ModelSnapshot model, String modelStore) throws Exception {
        return startScoring("kingfisher-baseline-" + domain.name(), config, env -> io.kingfisher.bench.BaselineJob.buildOnKafka(
                env, domain, new ScoreJob(domain, config, model, modelStore), config));
    }

    /** Submits the learning job (feedback join and online trainer) to its own local MiniCluster. */
    public JobClient startLearnJob(Domain domain, Config config, String modelStore) throws Exception {
        StreamExecutionEnvironment env = FlinkEnvironments.local(config);
        LearnJob.configure(env, config);
        new LearnJob(domain, config, modelStore).buildOnKafka(env);
        JobClient job = env.executeAsync("kingfisher-learn-" + domain.name());
        jobs.add(job);
        return job;
    }

    /**
     * Starts the online feature lookup (a Kafka Streams app materialising {@code <domain>.features} in RocksDB) with
     * {@code GET /features/<domain>/<entity>} on {@code port} (0 = a free one).
     */
    public FeatureLookupApp startFeatureLookup(Domain domain, int port) {
        lookup = FeatureLookupApp.start(FeatureLookupConfig.of(bootstrapServers(), registryUrl(), List.of(domain.name()),
                dataDir.resolve("lookup")).withHttpPort(port));
        return lookup;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        if (lookup != null) {
            try {
                lookup.close();
            } catch (Exception e) {
                first = e;
            }
        }
        for (JobClient j : jobs) {
            try {
                j.cancel().get();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        try {
            registry.close();
        } catch (Exception e) {
            first = first == null ? e : first;
        }
        broker.close();
        if (first != null && !(first instanceof java.util.concurrent.ExecutionException)) {
            throw first;
        }
    }
}
