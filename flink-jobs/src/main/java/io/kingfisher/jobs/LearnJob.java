package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.config.ConfigException;
import io.kingfisher.domain.Domain;
import io.kingfisher.domain.LabelRule;
import io.kingfisher.feedback.DroppedLabel;
import io.kingfisher.feedback.JoinRule;
import io.kingfisher.feedback.LabelEvent;
import io.kingfisher.feedback.flink.FeedbackJoinFunction;
import io.kingfisher.schemas.core.DeadLetter;
import io.kingfisher.schemas.core.LearningEvent;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.core.TrainingExample;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.scoring.flink.ScoringOperator;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.trainer.flink.TrainerFunction;
import io.kingfisher.trainer.online.Example;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The learning job: scores ⨝ labels → training examples → online trainer → snapshots.
 *
 * <ol>
 *   <li><b>Feedback join</b>: {@code <domain>.scores} and {@code <domain>.labels}, in event time, joined by the
 *       domain's label rule ({@link FeedbackJoinFunction}); examples go to {@code <domain>.examples} (exactly once),
 *       labels that label nothing to {@code <domain>.dlq} with the reason.</li>
 *   <li><b>Online trainer</b>: takes the join's examples in-job (each keeps the position of the label record that
 *       settled it), fine-tunes from the domain's latest snapshot on {@code model.snapshots} ({@link TrainerFunction}),
 *       and publishes each candidate that passes the gate: the payload to the model store, the signed metadata to
 *       {@code model.registry} (the history) and {@code model.snapshots} (what scorers follow), and every decision to
 *       {@code <domain>.learning}, at least once and at once, not at the next checkpoint.</li>
 * </ol>
 * The trainer runs with parallelism 1: one model per domain.
 */
public final class LearnJob {
    private final Domain domain;
    private final Config config;
    private final String modelStore;
    private final byte[] hmacKey;

    /**
     * @throws ConfigException if {@code model.hmac_key} is set but shorter than {@value Snapshots#MIN_KEY_BYTES} bytes
     */
    public LearnJob(Domain domain, Config config, String modelStore) {
        this.domain = domain;
        this.config = config;
        this.modelStore = modelStore;
        String key = config.get(JobSettings.MODEL_HMAC_KEY);
        this.hmacKey = key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
        if (hmacKey != null && hmacKey.length < Snapshots.MIN_KEY_BYTES) {
            throw new ConfigException(JobSettings.MODEL_HMAC_KEY.key(), "must have at least " + Snapshots.MIN_KEY_BYTES
                    + " bytes (UTF-8), had " + hmacKey.length);
        }
        LearnSettings.learner(config, domain); // fail now on a bad learning.* setting
        joinRule(domain, config);
    }

    /**
     * The learning job's runtime choices: its own parallelism ({@code learning.parallelism}) and checkpoint interval
     * ({@code learning.checkpoint_interval}), and unaligned
     * checkpoints, so a checkpoint (which is what makes examples and
     * snapshots visible downstream) is not held up behind records queued in front of a busy operator.
     */
    public static void configure(StreamExecutionEnvironment env, Config config) {
        org.apache.flink.configuration.Configuration c = new org.apache.flink.configuration.Configuration();
        c.set(org.apache.flink.configuration.CheckpointingOptions.ENABLE_UNALIGNED, true);
        env.configure(c);
        env.setParallelism(config.get(LearnSettings.PARALLELISM));
        // Nothing the trainer learns from or publishes waits for these checkpoints, and each one serializes the
        // trainer's members with their optimizer state (megabytes for clicks) on its task thread.
        env.enableCheckpointing(config.get(LearnSettings.CHECKPOINT_INTERVAL).toMillis(),
                org.apache.flink.core.execution.CheckpointingMode.EXACTLY_ONCE);
    }

    /**
     * How far the join's watermarks lag the latest event time ({@code feedback.out_of_orderness}, else the domain's,
     * else its features' allowed lateness: every score the features accepted is then in order).
     */
    public static Duration outOfOrderness(Domain domain, Config config) {
        Duration d = domain.labels().outOfOrderness();
        return config.getOr(LearnSettings.OUT_OF_ORDERNESS, d != null ? d : domain.features().allowedLateness());
    }

    /**
     * The feedback join's rule: the domain's label rule plus the provisional-negative setting (the job's, else the
     * domain's, else its default) and the late-label setting.
     */
    public static JoinRule joinRule(Domain domain, Config config) {
        LabelRule rule = domain.labels().rule();
        JoinRule.Mode mode = rule instanceof LabelRule.ByEventId ? JoinRule.Mode.BY_EVENT_ID : JoinRule.Mode.BY_ENTITY_WITHIN;
        JoinRule.OnTimeout onTimeout = rule.onTimeout() == LabelRule.OnTimeout.NEGATIVE
                ? JoinRule.OnTimeout.NEGATIVE : JoinRule.OnTimeout.UNLABELLED;
        JoinRule.LateLabels late = config.get(LearnSettings.LATE_LABELS) == LearnSettings.LateLabels.CORRECT
                ? JoinRule.LateLabels.CORRECT : JoinRule.LateLabels.DROP;
        Duration domainProvisional = domain.labels().provisionalNegativeAfter();
        Duration provisional = config.getOr(LearnSettings.PROVISIONAL_AFTER,
                domainProvisional != null ? domainProvisional : LearnSettings.PROVISIONAL_AFTER.defaultValue());
        boolean useProvisional = !provisional.isZero() && onTimeout == JoinRule.OnTimeout.NEGATIVE
                && rule.window().compareTo(provisional) > 0;
        return new JoinRule(mode, rule.window(), onTimeout, useProvisional ? provisional : null, late);
    }

    /**
     * Adds the job between the given streams and sinks. Turns on object reuse in the streams' environment (no copies
     * between chained operators).
     *
     * @param scores      raw records of {@code <domain>.scores}
     * @param labels      raw records of {@code <domain>.labels}
     * @param snapshots   raw records of {@code model.snapshots}, one reader, in publication order
     */
    public void build(DataStream<RawRecord> scores, DataStream<RawRecord> labels,
                      DataStream<RawRecord> snapshots, Sink<TrainingExample> examplesOut, Sink<ModelSnapshot> registryOut,
                      Sink<ModelSnapshot> snapshotsOut, Sink<LearningEvent> learningOut, Sink<DeadLetter> deadLetters) {
        // No defensive copy between chained operators: without object reuse Flink deep-copies every record handed down
        // a chain, through Avro's generic path for the Avro classes (each score with its features into the watermark
        // assigner, each example into both the examples sink and the trainer's converter, each published snapshot
        // into both its sinks). Safe here: every operator emits a new object per record and none changes a record it
        // is handed; what the join and the trainer keep of their inputs comes over the network, deserialized afresh, and the
        // snapshot the trainer keeps after publishing it is only serialized by the sinks it shares it with.
        scores.getExecutionEnvironment().getConfig().enableObjectReuse();
        String registry = config.get(JobSettings.REGISTRY_URL);
        String name = domain.name();
        Duration lateness = outOfOrderness(domain, config);
        Duration idle = config.get(LearnSettings.IDLENESS);
        JoinRule rule = joinRule(domain, config);

        SingleOutputStreamOperator<Score> decodedScores = scores
                .process(new ScoreDecodeFunction(name, registry)).name("decode-scores").uid("learn-decode-scores-" + name);
        SingleOutputStreamOperator<LabelEvent> decodedLabels = labels
                .process(new LabelDecodeFunction(domain, registry)).name("decode-labels").uid("learn-decode-labels-" + name);
        DataStream<Score> timedScores = decodedScores.assignTimestampsAndWatermarks(
                WatermarkStrategy.<Score>forBoundedOutOfOrderness(lateness)
                        .withTimestampAssigner((s, ts) -> s.getEventTime()).withIdleness(idle))
                .name("scores-event-time").uid("learn-scores-wm-" + name);
        DataStream<LabelEvent> timedLabels = decodedLabels.assignTimestampsAndWatermarks(
                WatermarkStrategy.<LabelEvent>forBoundedOutOfOrderness(lateness)
                        .withTimestampAssigner((l, ts) -> l.labelTime).withIdleness(idle))
                .name("labels-event-time").uid("learn-labels-wm-" + name);

        SingleOutputStreamOperator<TrainingExample> examples = timedScores
                .connect(timedLabels)
                .keyBy(FeedbackJoinFunction.scoreKey(rule), FeedbackJoinFunction.labelKey())
                .process(new FeedbackJoinFunction(rule, config.get(LearnSettings.RETENTION)), TypeInformation.of(TrainingExample.class))
                .name("feedback-join").uid("learn-join-" + name);
        examples.sinkTo(examplesOut).name("examples-sink").uid("learn-examples-sink-" + name);

        String labelsTopic = domain.labelsTopic();
        DataStream<DeadLetter> dropped = examples.getSideOutput(FeedbackJoinFunction.LATE_OR_UNMATCHED)
                .map(d -> droppedLabel(labelsTopic, d))
                .returns(TypeInformation.of(DeadLetter.class))
                .name("dropped-labels").uid("learn-dropped-" + name);
        // The trainer learns from the join's output directly: waiting for a checkpoint to make the examples visible
        // on the topic cost seconds of freshness.
        DataStream<Example> toTrain = examples
                .map(new ToExample(name, domain.features().hash()))
                .returns(TypeInformation.of(Example.class))
                .name("to-example").uid("learn-to-example-" + name);
        DataStream<ModelSnapshot> domainSnapshots = snapshots
                .process(new SnapshotDecodeFunction(name, registry), ScoringOperator.SNAPSHOT_TYPE)
                .setParallelism(snapshots.getParallelism())
                .name("decode-snapshots").uid("learn-snapshots-decode-" + name);
        SingleOutputStreamOperator<ModelSnapshot> published = toTrain
                .connect(domainSnapshots)
                .keyBy(e -> 0, s -> 0)
                .process(new TrainerFunction(name, domain.features().hash(), modelStore, hmacKey,
                        LearnSettings.learner(config, domain), config.get(LearnSettings.PAYLOAD_FORMAT)),
                        ScoringOperator.SNAPSHOT_TYPE)
                .setParallelism(1).setMaxParallelism(1)
                .name("online-trainer").uid("learn-trainer-" + name);
        published.sinkTo(registryOut).name("registry-sink").uid("learn-registry-sink-" + name).setParallelism(1);
        published.sinkTo(snapshotsOut).name("snapshots-sink").uid("learn-snapshots-sink-" + name).setParallelism(1);
        published.getSideOutput(TrainerFunction.EVENTS).sinkTo(learningOut)
                .name("learning-sink").uid("learn-events-sink-" + name).setParallelism(1);
        decodedScores.getSideOutput(DeadLetters.TAG)
                .union(decodedLabels.getSideOutput(DeadLetters.TAG), dropped)
                .sinkTo(deadLetters).name("learn-dlq-sink").uid("learn-dlq-sink-" + name);
    }

    /** Builds the job on Kafka: its sources, exactly-once sinks for examples and dead letters, at-least-once sinks for what the trainer publishes. */
    public void buildOnKafka(StreamExecutionEnvironment env) {
        String name = domain.name();
        String registry = config.get(JobSettings.REGISTRY_URL);
        String examplesTopic = Topics.examples(name);
        String learningTopic = Topics.learning(name);
        build(KafkaIo.source(env, config, domain.scoresTopic(), "kingfisher-learn-" + name + "-scores", "learn-scores-" + name),
                KafkaIo.source(env, config, domain.labelsTopic(), "kingfisher-learn-" + name + "-labels", "learn-labels-" + name),
                snapshotsSource(env),
                KafkaIo.exactlyOnceSink(config, examplesTopic, "learn", new AvroRecordSerialization<>(examplesTopic, registry,
                        TrainingExample.class, TrainingExample::getEntity)),
                // Published snapshots are visible at once rather than at the next checkpoint: see TrainerFunction on
                // why a restore cannot publish a version twice.
                KafkaIo.atLeastOnceSink(config, new AvroRecordSerialization<>(
                        Topics.MODEL_REGISTRY, registry, ModelSnapshot.class, ModelSnapshot::getDomain)),
                KafkaIo.atLeastOnceSink(config, new AvroRecordSerialization<>(
                        Topics.MODEL_SNAPSHOTS, registry, ModelSnapshot.class, ModelSnapshot::getDomain)),
                KafkaIo.atLeastOnceSink(config, new AvroRecordSerialization<>(learningTopic, registry,
                        LearningEvent.class, LearningEvent::getDomain)),
                KafkaIo.exactlyOnceSink(config, domain.dlqTopic(), "learn", new AvroRecordSerialization<>(domain.dlqTopic(),
                        registry, DeadLetter.class, null)));
    }

    private DataStream<RawRecord> snapshotsSource(StreamExecutionEnvironment env) {
        return KafkaIo.snapshots(env, config, "kingfisher-learn-" + domain.name() + "-snapshots",
                "learn-snapshots-" + domain.name());
    }

    private static DeadLetter droppedLabel(String labelsTopic, DroppedLabel d) {
        return DeadLetter.newBuilder()
                .setSourceTopic(labelsTopic)
                .setPartition(-1)
                .setOffset(-1)
                .setErrorKind(d.kind == null ? "LABEL_DROPPED" : "LABEL_" + d.kind.name())
                .setError(d.reason)
                .setRawKey(null)
                .setRawValue(null)
                .setFailedAt(System.currentTimeMillis())
                .setStage("feedback-join")
                .build();
    }
}
