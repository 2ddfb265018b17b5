package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.topic.Topics;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The scoring job's featured events as {@link FeatureVector}s for {@code <domain>.features}, the topic the online
 * feature lookup ({@code io.kingfisher.streams.features}) serves from: each vector is the one the event was scored
 * with (the entity's features as of just before the event), keyed by entity, with the column names, the spec hash,
 * the event time and the wall-clock time it was written.
 *
 * <p>Rate and cost. Every featured event is written: no per-entity throttling, so the lookup is as fresh as the
 * scores (once the checkpoint that covers the vector commits). That is one more record per event on an exactly-once
 * sink, and it carries the column names and the 64-character spec hash: measured with the built-in domains (before fraud and clicks
 * looked up their merchant and item: 3 and 2 columns more now), 450 bytes per record for fraud (21 columns), 327 for
 * clicks (12), 656 for clinical (26), so about 45 MB/s into Kafka
 * for fraud at 100k events/s. The sink compresses with lz4, which shrank 16 KB batches of such records 4 to 5
 * times (names and hash repeat in every record; random values did not compress), to about 11 MB/s; the topic is
 * compacted, so one vector per entity survives; the lookup collapses each entity's updates in its record cache
 * before they reach RocksDB and its changelog. Where that is still too much, build the job with a null features
 * sink (no vectors), or write fewer (e.g. an entity's vector at most every few seconds) in a keyed operator before
 * this one, or turn the topic off ({@code features.publish=off}): at {@code demo --rate max} (fraud, parallelism 1)
 * the job ran 31.2k events/s without it and 24.6k with it, one run after the other.
 */
public final class FeatureVectors implements MapFunction<FeaturedEvent, FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** {@code features.publish}: whether the scoring job writes {@code <domain>.features}. */
    public enum Publish {
        ON, OFF
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

    @Override
    public FeatureVector map(FeaturedEvent e) {
        return toVector(e, System.currentTimeMillis());
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
        List<Float> values = new ArrayList<>(e.features.length);
        for (float x : e.features) {
            values.add(x);
        }
        return FeatureVector.newBuilder()
                .setDomain(domain)
                .setEntity(e.entity)
                .setEventTime(e.eventTime)
                .setUpdatedAt(now)
                .setFeatureSpecHash(specHash)
                .setNames(names)
                .setValues(values)
                .build();
    }

    /** Adds the mapping from {@code featured} to {@code sink}, with stable uids per domain. */
    public static void publish(DataStream<FeaturedEvent> featured, String domain, FeatureSpec spec,
                               Sink<FeatureVector> sink) {
        featured.map(new FeatureVectors(domain, spec))
                .returns(TypeInformation.of(FeatureVector.class))
                .name("feature-vectors").uid("feature-vectors-" + domain)
                .sinkTo(sink).name("features-sink").uid("features-sink-" + domain);
    }

    /**
     * @return the sink of {@code <domain>.features} as {@code features.publish} says: {@link #kafkaSink}, or null
     *     (no vectors written) when it is off
     */
    public static KafkaSink<FeatureVector> configuredSink(Config config, String domain) {
        return config.get(JobSettings.FEATURES_PUBLISH) == Publish.ON ? kafkaSink(config, domain) : null;
    }

    /**
     * @return the exactly-once sink of {@code <domain>.features}, keyed by entity, lz4-compressed; create the topic
     *     compacted ({@code cleanup.policy=compact}) before the job starts
     */
    public static KafkaSink<FeatureVector> kafkaSink(Config config, String domain) {
        String topic = Topics.features(domain);
        return KafkaIo.exactlyOnceSink(config, topic, "features", new AvroRecordSerialization<>(topic,
                config.get(JobSettings.REGISTRY_URL), FeatureVector.class, FeatureVector::getEntity), "lz4");
    }
}
