package io.kingfisher.streams.features;

import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.topic.Topics;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The lookup's topology: for each domain, {@code <domain>.features} (keyed by entity) is applied to a persistent
 * RocksDB key-value store named {@link #storeName}, which interactive queries read ({@link LatestVectorProcessor}):
 * the latest vector per entity ({@link LatestVectors#newer}); a tombstone (null value) deletes the entity. Records
 * that cannot be applied ({@link LatestVectors#problem}) are skipped with a warning. The store caches writes (an
 * entity's updates collapse before they reach RocksDB and the changelog) and has a compacted changelog topic
 * ({@code <application id>-features-<domain>-changelog}) that Kafka Streams creates, so a lost state directory is
 * restored from it, deletions included.
 */
public final class FeatureLookupTopology {
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
            String store = storeName(domain);
            builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(store),
                    Serdes.String(), vectors)
                .withCachingEnabled());
            builder.stream(topic, Consumed.with(Serdes.String(), vectors).withName("read-" + topic))
                .process(() -> new LatestVectorProcessor(topic, store), Named.as("latest-" + domain), store);
        }
        return builder.build();
    }
}
