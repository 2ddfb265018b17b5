package io.kingfisher.streams.features;

import io.kingfisher.schemas.core.FeatureVector;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Lookups by interactive queries: finds the instance hosting the entity's partition
 * ({@link KafkaStreams#queryMetadataForKey}); when that is this one, reads that partition's store, else says which
 * instance it is. Anything that makes the store unqueryable (starting, rebalancing, restoring, migrated) is
 * {@link FeatureLookup.NotReady}.
 */
final class KafkaStreamsFeatureLookup implements FeatureLookup {
    private static final Serializer<String> KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final List<String> domains;
    private final HostInfo self;
    private final Supplier<String> lastError;

    /**
     * @param self      this instance's {@code application.server}
     * @param lastError the latest failure of a stream thread, or empty
     */
    KafkaStreamsFeatureLookup(KafkaStreams streams, List<String> domains, HostInfo self, Supplier<String> lastError) {
        this.streams = streams;
        this.domains = List.copyOf(domains);
        this.self = self;
        this.lastError = lastError;
    }

    @Override
    public List<String> domains() {
        return domains;
    }

    @Override
    public Result lookup(String domain, String entity) {
        if (!domains.contains(domain)) {
            return new UnknownDomain(domains);
        }
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return new NotReady("Kafka Streams is " + state + suffix());
        }
        String store = FeatureLookupTopology.storeName(domain);
        try {
            KeyQueryMetadata where = streams.queryMetadataForKey(store, entity, KEYS);
            if (where == null || KeyQueryMetadata.NOT_AVAILABLE.equals(where)
                || HostInfo.unavailable().equals(where.activeHost())) {
                return new NotReady("no instance hosts the partition of entity '" + entity + "' yet (Kafka Streams is "
                    + state + ")");
            }
            if (!self.equals(where.activeHost())) {
                return new Elsewhere(where.activeHost().host(), where.activeHost().port());
            }
            ReadOnlyKeyValueStore<String, FeatureVector> kv = streams.store(StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<String, FeatureVector>keyValueStore())
                .withPartition(where.partition()));
            FeatureVector vector = kv.get(entity);
            return vector == null ? new Missing() : new Found(vector);
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return new NotReady("store " + store + " is not queryable (Kafka Streams is " + streams.state() + "): "
                + e.getMessage());
        }
    }

    @Override
    public Health health() {
        KafkaStreams.State state = streams.state();
        return new Health(state == KafkaStreams.State.RUNNING, state.name(), lastError.get());
    }

    private String suffix() {
        String error = lastError.get();
        return error.isEmpty() ? "" : " (last error: " + error + ")";
    }
}
