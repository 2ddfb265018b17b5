package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.core.FloatList;
import io.kingfisher.schemas.topic.Topics;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.util.List;
import java.util.Objects;

/**
 * The scoring job's featured events as {@link FeatureVector}s for {@code <domain>.features}, the topic the online
 * feature lookup ({@code io.kingfisher.streams.features}) serves from: each vector is the one the event was scored
 * with (the entity's features as of just before the event), keyed by entity, with the column names, the spec hash,
 * the event time and the wall-clock time it was written.
 *
 * <p>Rate and cost. Each entity's latest vector is written once per checkpoint interval ({@link LatestVectorPerEntity}):
 * the sink is exactly-once, so the lookup sees a vector only when the checkpoint commits it, and that is as fresh as
 * the scores; of an entity's vectors within one interval a reader of the committed table can use only the last. A
 * record carries the column names and the 64-character spec hash: measured with the built-in domains (before fraud and
 * clicks looked up their merchant and item: 3 and 2 columns more now), 450 bytes per record for fraud (21 columns),
 * 327 for clicks (12), 656 for clinical (26). Written once per event, that was about 45 MB/s into Kafka for fraud at
 * 100k events/s; the sink compresses with lz4, which shrank 16 KB batches of such records 4 to 5 times (names and hash
 * repeat in every record; random values did not compress). The topic is compacted, so one vector per entity survives;
 * the lookup collapses each entity's updates in its record cache before they reach RocksDB and its changelog. Where
 * that is still too much, build the job with a null features sink (no vectors), or turn the topic off
 * ({@code features.publish=off}): at {@code demo --rate max} (fraud, parallelism 1) the job, then writing one vector
 * per event, ran 45.5k and 44.3k events/s without it and 41.9k and 36.9k with it, runs alternated.
 *
 * <p>Tombstones. When an entity's feature state expires (idle for {@code features.state_ttl}; the primary stage's
 * {@link io.kingfisher.features.flink.FeatureFunction#EXPIRED} side output), a record keyed by the entity with a null
 * value goes to the same topic, so the lookup deletes the entity and compaction drops its vectors. The tombstones
 * have their own exactly-once sink ({@link #kafkaTombstoneSink}) rather than a union with the vectors: a sink fed
 * by a union has two inputs and cannot be chained, so every vector would cross a serializer and a network buffer
 * to reach it; as a second sink, chained to the feature stage, it costs nothing per vector. Vectors and tombstones of
 * one entity are then written by two producers, so their order on the topic is the order they were sent only
 * within milliseconds; a tombstone is written after a TTL of silence, so the one race is an event arriving in the
 * same moment the entity's expiry fires, whose vector a late tombstone would delete until the entity's next event.
 */
public final class FeatureVectors implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code features.publish}: whether the scoring job writes {@code <domain>.features}. */
    public enum Publish {
        ON, OFF
    }

    /**
     * Where {@code <domain>.features} is written.
     *
     * @param vectors    each featured event's vector
     * @param tombstones the key of each entity whose feature state expired, for a null-valued record
     */
    public record Sinks(Sink<FeatureVector> vectors, Sink<String> tombstones) {
        public Sinks {
            Objects.requireNonNull(vectors, "vectors");
            Objects.requireNonNull(tombstones, "tombstones");
        }
    }

    private final String domain;
    private final String specHash;
    private final List<String> names;

    /**
     * @param domain the domain's name
     * @param spec   the feature spec that computes the vectors (names and hash)
     */
    public FeatureVectors(String domain, FeatureSpec spec) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.specHash = spec.hash();
        this.names = List.copyOf(spec.outputNames());
    }

    /**
     * @param now the wall-clock time to write as {@code updated_at}, epoch ms
     * @throws IllegalArgumentException if the event's vector is not as wide as the spec
     */
    public FeatureVector toVector(FeaturedEvent e, long now) {
        if (e.features == null || e.features.length != names.size()) {
            throw new IllegalArgumentException("event " + e.eventId + " of entity '" + e.entity + "' has "
                    + (e.features == null ? "no features" : e.features.length + " features")
                    + " but feature spec " + specHash.substring(0, 12) + " of domain '" + domain + "' has " + names.size()
                    + " columns");
        }
        // no builder, and the values as a view of the event's array: see ScoringOperator.toScore
        return new FeatureVector(domain, e.entity, e.eventTime, now, specHash, names, FloatList.over(e.features));
    }

    /**
     * Adds the vectors of {@code featured} (each entity's latest once per checkpoint, see {@link LatestVectorPerEntity};
     * each one at once if the environment does not checkpoint) to the vectors' sink, in a task of their own, and
     * {@code expired} (keys of entities whose feature state expired) to the tombstones' sink, chained where they are
     * emitted, with stable uids per domain.
     */
    public static void publish(DataStream<FeaturedEvent> featured, DataStream<String> expired, String domain,
                               FeatureSpec spec, Sinks sinks) {
        boolean collapse = featured.getExecutionEnvironment().getCheckpointConfig().isCheckpointingEnabled();
        featured.transform("feature-vectors", TypeInformation.of(FeatureVector.class),
                        new LatestVectorPerEntity(new FeatureVectors(domain, spec), collapse, LatestVectorPerEntity.DEFAULT_MAX_ENTITIES))
                .uid("feature-vectors-" + domain)
                // A task of its own: at each barrier it converts, encodes and sends the interval's vectors and the sink
                // waits for the broker to take them. Chained to the last feature stage, every event behind the barrier
                // waited for that too (docs/design-notes.md, "The features topic").
                .startNewChain()
                .sinkTo(sinks.vectors()).name("features-sink").uid("features-sink-" + domain);
        expired.sinkTo(sinks.tombstones()).name("features-tombstones-sink").uid("features-tombstones-sink-" + domain);
    }

    /**
     * @return the sinks of {@code <domain>.features} as {@code features.publish} says: {@link #kafkaSink} and
     *     {@link #kafkaTombstoneSink}, or null (nothing written) when it is off
     */
    public static Sinks configuredSinks(Config config, String domain, FeatureSpec spec) {
        return config.get(JobSettings.FEATURES_PUBLISH) == Publish.ON
                ? new Sinks(kafkaSink(config, domain, spec), kafkaTombstoneSink(config, domain)) : null;
    }

    /**
     * @return the exactly-once sink of {@code <domain>.features}, keyed by entity, lz4-compressed; create the topic
     *     compacted ({@code cleanup.policy=compact}) before the job starts. The vectors of {@code spec} are written with
     *     their shared parts (domain, spec hash, column names) encoded once ({@link FeatureVectorEncoder}): the same
     *     bytes, less work at each checkpoint barrier; any other vector the general way.
     * @param spec the spec of the vectors written, or null to write them all the general way
     */
    public static KafkaSink<FeatureVector> kafkaSink(Config config, String domain, FeatureSpec spec) {
        String topic = Topics.features(domain);
        AvroRecordSerialization<FeatureVector> ser = new AvroRecordSerialization<>(topic,
                config.get(JobSettings.REGISTRY_URL), FeatureVector.class, FeatureVector::getEntity);
        if (spec != null) {
            String hash = spec.hash();
            List<String> names = List.copyOf(spec.outputNames());
            ser = ser.withEncoder(() -> new FeatureVectorEncoder(domain, hash, names)::encode);
        }
        return KafkaIo.exactlyOnceSink(config, topic, "features", ser, "lz4");
    }

    /**
     * @return the exactly-once sink of tombstones to {@code <domain>.features}: each entity key it is given as a
     *     record with that key and a null value (its own transactional ids, beside {@link #kafkaSink}'s)
     */
    public static KafkaSink<String> kafkaTombstoneSink(Config config, String domain) {
        String topic = Topics.features(domain);
        return KafkaIo.exactlyOnceSink(config, topic, "feature-tombstones", new TombstoneSerialization(topic));
    }
}
