package io.kingfisher.streams.features;

import io.kingfisher.schemas.core.FeatureVector;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code <domain>.features} to the domain's store by {@link LatestVectors}' rules: a vector replaces the
 * stored one unless it is an older event's of the same spec; a tombstone deletes the entity (so a lookup answers 404
 * afterwards, and the deletion reaches the store's changelog); a record that cannot be applied is skipped with a
 * warning. Forwards nothing: the store is the output.
 */
final class LatestVectorProcessor implements Processor<String, FeatureVector, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(LatestVectorProcessor.class);

    private final String topic;
    private final String storeName;
    private TimestampedKeyValueStore<String, FeatureVector> store;

    LatestVectorProcessor(String topic, String storeName) {
        this.topic = topic;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, FeatureVector> record) {
        String key = record.key();
        FeatureVector incoming = record.value();
        String problem = LatestVectors.problem(key, incoming);
        if (problem != null) {
            LOG.warn("Skipping a record of {}: {}", topic, problem);
            return;
        }
        if (LatestVectors.deletes(incoming)) {
            store.delete(key);
            return;
        }
        ValueAndTimestamp<FeatureVector> stored = store.get(key);
        FeatureVector current = ValueAndTimestamp.getValueOrNull(stored);
        if (LatestVectors.newer(current, incoming) == incoming) {
            long time = stored == null ? record.timestamp() : Math.max(stored.timestamp(), record.timestamp());
            store.put(key, ValueAndTimestamp.make(incoming, time));
        }
    }
}
