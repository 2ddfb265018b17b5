package io.kingfisher.streams.features;

import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.topic.Topics;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lookup's topology: for each domain, {@code <domain>.features} (keyed by entity) is reduced to the latest
 * vector per entity ({@link LatestVectors#newer}) in a persistent RocksDB key-value store named
 * {@link #storeName}, which interactive queries read. Records that cannot be stored ({@link LatestVectors#problem})
 * are skipped with a warning. Each store has a compacted changelog topic
 * ({@code <application id>-features-<domain>-changelog}) that Kafka Streams creates, so a lost state directory is
 * restored from it.
 */
public final class FeatureLookupTopology {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureLookupTopology.class);
    private static final String STORE_PREFIX = "features-";

    private FeatureLookupTopology() {
    }

    /** @return the name of the store holding the latest vectors of {@code domain} */
    public static String storeName(String domain) {
        return STORE_PREFIX + domain;
    }

    /**
     * @param domains the domains to serve (their topics must exist when the app starts)
     * @param vectors the serde of {@link FeatureVector} values, for the topics and the stores
     */
    public static Topology build(List<String> domains, Serde<FeatureVector> vectors) {
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("the feature lookup needs at least one domain");
        }
        StreamsBuilder builder = new StreamsBuilder();
        for (String domain : domains) {
            String topic = Topics.features(domain);
            builder.stream(topic, Consumed.with(Serdes.String(), vectors).withName("read-" + topic))
                .filter((entity, vector) -> storable(topic, entity, vector), Named.as("check-" + domain))
                .groupByKey(Grouped.with("by-entity-" + domain, Serdes.String(), vectors))
                .reduce(LatestVectors::newer, Named.as("latest-" + domain),
                    Materialized.<String, FeatureVector>as(Stores.persistentTimestampedKeyValueStore(storeName(domain)))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(vectors));
        }
        return builder.build();
    }

    private static boolean storable(String topic, String entity, FeatureVector vector) {
        String problem = LatestVectors.problem(entity, vector);
        if (problem != null) {
            LOG.warn("Skipping a record of {}: {}", topic, problem);
            return false;
        }
        return true;
    }
}
