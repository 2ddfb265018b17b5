package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.flink.FeatureFunction;
import io.kingfisher.schemas.core.DeadLetter;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.scoring.flink.ScoringOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The scoring job: events → decode and validate → per-entity features (keyed state) → score → scores topic;
 * rejected records → dead-letter topic. Sources and sinks are parameters ({@link #build}); {@link #buildOnKafka}
 * wires the real Kafka source and the exactly-once Kafka sinks.
 */
public final class ScoreJob {
    private final Domain domain;
    private final Config config;
    private final ModelSnapshot model;
    private final String modelStore;

    /**
     * @param model      the snapshot to score with (verified against its payload before use)
     * @param modelStore root URI of the model store holding the payload
     */
    public ScoreJob(Domain domain, Config config, ModelSnapshot model, String modelStore) {
        this.domain = domain;
        this.config = config;
        this.model = model;
        this.modelStore = modelStore;
        domain.inputBinding(); // fail now, not in a task, if the domain's fields do not fit its schema
        if (!model.getFeatureSpecHash().equals(domain.features().hash())) {
            throw new IllegalArgumentException("model v" + model.getVersion() + " was trained on feature spec "
                    + model.getFeatureSpecHash() + " but domain '" + domain.name() + "' computes " + domain.features().hash());
        }
    }

    /** Adds the pipeline to {@code env} between the given source stream and sinks. */
    public void build(DataStream<RawRecord> raw, Sink<Score> scores, Sink<DeadLetter> deadLetters) {
        String registry = config.get(JobSettings.REGISTRY_URL);
        SingleOutputStreamOperator<InputEvent> decoded = raw
                .process(new DecodeFunction(domain, registry))
                .name("decode+validate").uid("decode-" + domain.name());
        SingleOutputStreamOperator<FeaturedEvent> featured = decoded
                .keyBy(e -> e.entity)
                .process(new FeatureFunction(domain.features(), config.get(JobSettings.FEATURE_TTL)))
                .name("features").uid("features-" + domain.name());
        byte[] hmacKey = config.get(JobSettings.MODEL_HMAC_KEY).isEmpty() ? null
                : config.get(JobSettings.MODEL_HMAC_KEY).getBytes(StandardCharsets.UTF_8);
        SingleOutputStreamOperator<Score> scored = featured
                .transform("score", TypeInformation.of(Score.class),
                        new ScoringOperator(domain.name(), domain.features().hash(), model, modelStore, hmacKey,
                                config.get(JobSettings.BATCH_SIZE), config.get(JobSettings.BATCH_TIMEOUT).toMillis())).uid("score-" + domain.name());
        scored.sinkTo(scores).name("scores-sink").uid("scores-sink-" + domain.name());
        decoded.getSideOutput(DeadLetters.TAG)
                .sinkTo(deadLetters).name("dlq-sink").uid("dlq-sink-" + domain.name());
    }

    /** Builds the job on Kafka: source on {@code <domain>.events}, exactly-once sinks to scores and DLQ. */
    public void buildOnKafka(StreamExecutionEnvironment env) {
        String bootstrap = config.get(JobSettings.BOOTSTRAP);
        String group = config.get(JobSettings.GROUP_ID);
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(domain.eventsTopic())
                .setGroupId(group.isEmpty() ? "kingfisher-score-" + domain.name() : group)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
        DataStream<RawRecord> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "events:" + domain.eventsTopic())
                .uid("source-" + domain.name());
        String registry = config.get(JobSettings.REGISTRY_URL);
        build(raw,
                exactlyOnceSink(domain.scoresTopic(), "score",
                        new AvroRecordSerialization<>(domain.scoresTopic(), registry, Score.class, Score::getEntity)),
                exactlyOnceSink(domain.dlqTopic(), "dlq",
                        new AvroRecordSerialization<>(domain.dlqTopic(), registry, DeadLetter.class, null)));
    }

    private <T> KafkaSink<T> exactlyOnceSink(String topic, String role,
                                             org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> ser) {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", String.valueOf(config.get(JobSettings.TRANSACTION_TIMEOUT).toMillis()));
        p.setProperty("linger.ms", "2");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(JobSettings.BOOTSTRAP))
                .setRecordSerializer(ser)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("kingfisher-" + role + "-" + topic.replace('.', '-'))
                // Reuse transactional producers across checkpoints instead of creating one per checkpoint:
                // producer creation and initTransactions block the chained operators and showed as latency spikes.
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setKafkaProducerConfig(p)
                .build();
    }
}
