package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.config.ConfigException;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.flink.FeatureFunction;
import io.kingfisher.features.flink.FeaturePipeline;
import io.kingfisher.features.flink.InputEvents;
import io.kingfisher.outputs.Outputs;
import io.kingfisher.schemas.core.DeadLetter;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.scoring.ScoringBackend;
import io.kingfisher.scoring.cuda.BackendUnavailableException;
import io.kingfisher.scoring.cuda.Backends;
import io.kingfisher.scoring.flink.ScoringOperator;
import io.kingfisher.scoring.flink.Scores;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.snapshot.Verification;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The scoring job: events → decode and validate → per-entity features (keyed state; then, for a domain whose
 * features look up related entities, a keyed stage per related entity, see {@link FeaturePipeline}) → score → scores topic;
 * rejected records → dead-letter topic. The scorer also reads {@code model.snapshots} (its domain's snapshots,
 * broadcast to every scoring subtask) and hot-swaps each snapshot it accepts; see {@link ScoringOperator}.
 *
 * <p>Sources and sinks are parameters ({@link #build}); {@link #buildOnKafka} wires the real Kafka sources and
 * the exactly-once Kafka sinks, and the {@code kafka*} methods give each of them on its own, so a caller (a
 * test) can put something between a source and the pipeline.
 */
public final class ScoreJob {
    private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

    private final Domain domain;
    private final Config config;
    private final ModelSnapshot initialModel;
    private final String modelStore;
    private final byte[] hmacKey;
    private final ScoringBackend backend;
    private Outputs.Sinks outputSinks = Outputs.Sinks.NONE;
    private DataStream<RawRecord> labels;

    /**
     * @param initialModel the snapshot to start with when the scorer has no checkpointed model, or null to hold
     *                     events until the first snapshot from {@code model.snapshots} is accepted; verified
     *                     (signature, feature spec) now, and against its payload when the scorer starts
     * @param modelStore   root URI of the model store holding the payloads
     * @throws ConfigException          if {@code model.hmac_key} is shorter than {@value Snapshots#MIN_KEY_BYTES} bytes, or
     *                                  {@code scoring.backend} is {@code cuda} and this machine has no usable GPU (the
     *                                  message says what is missing)
     * @throws IllegalArgumentException if the initial model does not fit the domain or fails verification
     */
    public ScoreJob(Domain domain, Config config, ModelSnapshot initialModel, String modelStore) {
        this.domain = domain;
        this.config = config;
        this.initialModel = initialModel;
        this.modelStore = modelStore;
        String key = config.get(JobSettings.MODEL_HMAC_KEY);
        this.hmacKey = key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
        if (hmacKey != null && hmacKey.length < Snapshots.MIN_KEY_BYTES) {
            throw new ConfigException(JobSettings.MODEL_HMAC_KEY.key(), "must have at least " + Snapshots.MIN_KEY_BYTES
                    + " bytes (UTF-8), had " + hmacKey.length);
        }
        this.backend = requireBackend(config);
        domain.inputBinding(); // fail now, not in a task, if the domain's fields do not fit its schema
        if (initialModel != null) {
            if (!initialModel.getDomain().equals(domain.name())) {
                throw new IllegalArgumentException("model v" + initialModel.getVersion() + " is for domain '"
                        + initialModel.getDomain() + "', not '" + domain.name() + "'");
            }
            if (!initialModel.getFeatureSpecHash().equals(domain.features().hash())) {
                throw new IllegalArgumentException("model v" + initialModel.getVersion() + " was trained on feature spec "
                        + initialModel.getFeatureSpecHash() + " but domain '" + domain.name() + "' computes "
                        + domain.features().hash());
            }
            Verification v = Snapshots.verifyMetadata(initialModel, hmacKey, domain.features().hash());
            if (!v.ok()) {
                throw new IllegalArgumentException("model v" + initialModel.getVersion() + " refused: " + v
                        + (hmacKey == null ? "" : " (checked with " + JobSettings.MODEL_HMAC_KEY.key() + ")"));
            }
        }
    }

    /**
     * Checks {@code scoring.backend} on this machine: {@code cuda} needs a usable GPU; {@code cuda-or-cpu} without one
     * logs one warning and scores on ND4J. (Each scoring subtask resolves it again where it runs.)
     *
     * @return the configured backend
     * @throws ConfigException naming {@code scoring.backend} and what is missing, for {@code cuda} without a usable GPU
     */
    public static ScoringBackend requireBackend(Config config) {
        ScoringBackend backend = config.get(JobSettings.BACKEND);
        try {
            Backends.resolve(backend);
        } catch (BackendUnavailableException e) {
            throw new ConfigException(JobSettings.BACKEND.key(), e.problem());
        }
        return backend;
    }

    /**
     * Adds the pipeline between the given streams and sinks.
     *
     * @param events          raw records of {@code <domain>.events}
     * @param snapshots       raw records of {@code model.snapshots}, all domains (each job keeps its own); must
     *                        keep each domain's records in publication order
     * @param scores          where scores go
     * @param scorePartitions when {@code scores} writes to a Kafka topic keyed by entity with the default
     *                        partitioner: its number of partitions, so each partition gets a single scoring
     *                        subtask as writer and model versions never go backwards within a partition (see
     *                        {@link ScorePartitioner}); 0 for any other sink
     * @param deadLetters     where rejected records go
     */
    public void build(DataStream<RawRecord> events, DataStream<RawRecord> snapshots, Sink<Score> scores,
                      int scorePartitions, Sink<DeadLetter> deadLetters) {
        build(events, snapshots, scores, scorePartitions, deadLetters, null);
    }

    /**
     * As {@link #build(DataStream, DataStream, Sink, int, Sink)}, and each featured event's vector also goes to
     * {@code features} ({@code <domain>.features} for the online lookup; see {@link FeatureVectors}), as does a
     * tombstone for each entity whose feature state expired, or nowhere when it is null. Turns on object reuse in the streams' environment (no copies between chained operators; every
     * operator of this job emits fresh records and keeps none it is handed).
     */
    public void build(DataStream<RawRecord> events, DataStream<RawRecord> snapshots, Sink<Score> scores,
                      int scorePartitions, Sink<DeadLetter> deadLetters, FeatureVectors.Sinks features) {
        if (scorePartitions < 0) {
            throw new IllegalArgumentException("scorePartitions must be >= 0, was " + scorePartitions);
        }
        // No defensive copy between chained operators (Flink deep-copies every record handed down a chain otherwise:
        // Avro's deepCopy of each Score and FeatureVector, about 4% of the job's CPU at full speed). Safe here: every
        // operator of this job emits a new object per record and none changes or keeps a record it was handed
        // (the scorer keeps its buffered events, but those come over the network, deserialized afresh, and Flink's
        // network inputs never reuse objects).
        events.getExecutionEnvironment().getConfig().enableObjectReuse();
        String registry = config.get(JobSettings.REGISTRY_URL);
        SingleOutputStreamOperator<InputEvent> decoded = events
                .process(new DecodeFunction(domain, registry), InputEvents.TYPE)
                .name("decode+validate").uid("decode-" + domain.name());
        // keyed by entity; a domain with related entities adds a keyed stage per related entity after it
        DataStream<InputEvent> labelInputs = null;
        if (domain.features().hasLabelFeatures()) {
            if (labels == null) {
                LOG.warn("{}: no labels stream, so the label features ({}) read zeros", domain.name(), domain.features().labelTextInputs());
            } else {
                labelInputs = labels.process(new LabelFeatureDecodeFunction(domain, registry), InputEvents.TYPE)
                        .name("decode-label-features").uid("label-features-decode-" + domain.name());
            }
        }
        FeaturePipeline.Stages stages = FeaturePipeline.build(decoded, labelInputs, domain.features(),
                config.get(JobSettings.FEATURE_TTL), (long) config.get(JobSettings.FEATURE_STATE_CACHE_MB) << 20, domain.name(), false);
        DataStream<FeaturedEvent> featured = stages.featured();
        if (features != null) {
            FeatureVectors.publish(featured, stages.primary().getSideOutput(FeatureFunction.EXPIRED), domain.name(),
                    domain.features(), features);
        }
        DataStream<ModelSnapshot> domainSnapshots = snapshots
                .process(new SnapshotDecodeFunction(domain.name(), registry), ScoringOperator.SNAPSHOT_TYPE)
                .setParallelism(snapshots.getParallelism())
                .name("decode-snapshots").uid("snapshots-decode-" + domain.name());

        DataStream<FeaturedEvent> toScore = featured;
        if (scorePartitions > 0) {
            int parallelism = featured.getParallelism() > 0 ? featured.getParallelism() : config.get(JobSettings.PARALLELISM);
            if (scorePartitions < parallelism) {
                LOG.warn("{} has {} partition(s) for {} scoring subtasks: {} of them will be idle", domain.scoresTopic(),
                        scorePartitions, parallelism, parallelism - scorePartitions);
            }
            toScore = featured.partitionCustom(new ScorePartitioner(scorePartitions), new ScorePartitioner.Entity());
        }
        ScoringOperator scorer = ScoringOperator.builder(domain.name(), domain.features().hash(), domain.features().width(),
                        modelStore)
                .initialSnapshot(initialModel)
                .hmacKey(hmacKey)
                .batching(config.get(JobSettings.BATCH_SIZE), config.get(JobSettings.BATCH_TIMEOUT).toMillis())
                .maxModelAgeMs(config.get(JobSettings.MAX_MODEL_AGE).toMillis())
                .backend(backend)
                .build();
        SingleOutputStreamOperator<Score> scored = toScore
                .connect(domainSnapshots.broadcast())
                .transform("score", Scores.TYPE, scorer)
                .uid("score-" + domain.name());
        scored.sinkTo(scores).name("scores-sink").uid("scores-sink-" + domain.name());
        Outputs.attach(domain, config, scored, outputSinks);
        String eventsTopic = domain.eventsTopic();
        DataStream<DeadLetter> rejectedByFeatures = stages.primary().getSideOutput(FeatureFunction.REJECTED)
                .map(r -> DeadLetters.rejected(eventsTopic, r))
                .returns(TypeInformation.of(DeadLetter.class))
                .name("late-to-dlq").uid("late-dlq-" + domain.name());
        decoded.getSideOutput(DeadLetters.TAG)
                .union(rejectedByFeatures)
                .sinkTo(deadLetters).name("dlq-sink").uid("dlq-sink-" + domain.name());
    }

    /**
     * The raw records of {@code <domain>.labels}, for a domain whose related entities have label features
     * ({@link io.kingfisher.features.RelatedEntity#withLabels}); without them such features read zeros.
     * {@link #buildOnKafka} sets them.
     */
    public ScoreJob labels(DataStream<RawRecord> labels) {
        this.labels = java.util.Objects.requireNonNull(labels, "labels");
        return this;
    }

    /**
     * Where alerts and the feed go, for a domain that has them ({@link Outputs}): {@link #buildOnKafka} sets Kafka's;
     * {@link #build} on its own attaches none unless told here.
     */
    public ScoreJob outputSinks(Outputs.Sinks sinks) {
        this.outputSinks = java.util.Objects.requireNonNull(sinks, "sinks");
        return this;
    }

    /**
     * Builds the job on Kafka: sources on {@code <domain>.events} and {@code model.snapshots}, exactly-once sinks
     * to scores, DLQ and (unless {@code features.publish} is off) {@code <domain>.features}. The scores topic must exist: its partition count is read now (see
     * {@link ScorePartitioner}); create the features topic compacted.
     */
    public void buildOnKafka(StreamExecutionEnvironment env) {
        outputSinks(Outputs.Sinks.kafka(domain, config));
        if (domain.features().hasLabelFeatures()) {
            labels(kafkaLabels(env));
        }
        build(kafkaEvents(env), kafkaSnapshots(env), kafkaScoresSink(), scoresTopicPartitions(), kafkaDeadLetterSink(),
                FeatureVectors.configuredSinks(config, domain.name(), domain.features()));
    }

    /** @return the events of {@code <domain>.events}, read_committed, resuming from the group's committed offsets */
    public DataStream<RawRecord> kafkaEvents(StreamExecutionEnvironment env) {
        String group = config.get(JobSettings.GROUP_ID);
        return KafkaIo.source(env, config, domain.eventsTopic(), group.isEmpty() ? "kingfisher-score-" + domain.name() : group,
                "source-" + domain.name());
    }

    /** @return the labels of {@code <domain>.labels}, read_committed, for the label features */
    public DataStream<RawRecord> kafkaLabels(StreamExecutionEnvironment env) {
        String group = config.get(JobSettings.GROUP_ID);
        return KafkaIo.source(env, config, domain.labelsTopic(),
                (group.isEmpty() ? "kingfisher-score-" + domain.name() : group) + "-labels", "labels-source-" + domain.name());
    }

    /**
     * @return every record of {@code model.snapshots}, read_committed, from the earliest offset on a fresh start
     *     (the topic is compacted, so that is at least the latest snapshot of each domain) and from the checkpoint
     *     on a restore; one reader, so each domain's snapshots arrive in publication order
     */
    public DataStream<RawRecord> kafkaSnapshots(StreamExecutionEnvironment env) {
        return KafkaIo.snapshots(env, config, "kingfisher-score-" + domain.name() + "-snapshots",
                "snapshots-source-" + domain.name());
    }

    /** @return the exactly-once sink of {@code <domain>.scores}, keyed by entity */
    public KafkaSink<Score> kafkaScoresSink() {
        return exactlyOnceSink(domain.scoresTopic(), "score", new AvroRecordSerialization<>(domain.scoresTopic(),
                config.get(JobSettings.REGISTRY_URL), Score.class, Score::getEntity));
    }

    /** @return the exactly-once sink of {@code <domain>.dlq} */
    public KafkaSink<DeadLetter> kafkaDeadLetterSink() {
        return exactlyOnceSink(domain.dlqTopic(), "dlq", new AvroRecordSerialization<>(domain.dlqTopic(),
                config.get(JobSettings.REGISTRY_URL), DeadLetter.class, null));
    }

    /**
     * @return the number of partitions of {@code <domain>.scores}, asked of the broker
     * @throws IllegalStateException if the topic does not exist or the broker does not answer within a minute
     */
    public int scoresTopicPartitions() {
        String topic = domain.scoresTopic();
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(JobSettings.BOOTSTRAP));
        try (Admin admin = Admin.create(p)) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
            return d.partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException("topic " + topic + " does not exist: create it before starting the job "
                        + "(its partition count decides which scoring subtask writes which partition)", e.getCause());
            }
            throw new IllegalStateException("cannot describe topic " + topic + " at " + config.get(JobSettings.BOOTSTRAP)
                    + ": " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer from " + config.get(JobSettings.BOOTSTRAP) + " about topic " + topic
                    + " within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + topic, e);
        }
    }

    private <T> KafkaSink<T> exactlyOnceSink(String topic, String role, KafkaRecordSerializationSchema<T> ser) {
        return KafkaIo.exactlyOnceSink(config, topic, role, ser);
    }
}
