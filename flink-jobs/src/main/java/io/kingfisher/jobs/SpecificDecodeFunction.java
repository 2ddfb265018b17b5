package io.kingfisher.jobs;

import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * Decodes records of one of Kingfisher's own topics (scores, examples) into their Avro class and converts them
 * for the next operator; failures go to the dead letters as in {@link DecodingFunction}.
 *
 * @param <T> the Avro record class of the topic
 * @param <O> what the next operator takes
 */
public abstract class SpecificDecodeFunction<T extends SpecificRecord, O> extends DecodingFunction<O> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String registryUrl;
    private transient AvroWireDeserializer<T> deserializer;

    protected SpecificDecodeFunction(Class<T> type, String registryUrl, String stage) {
        super(stage);
        this.type = type;
        this.registryUrl = registryUrl;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        super.open(ctx);
        deserializer = new AvroWireDeserializer<>(new RestSchemaRegistryClient(registryUrl), type);
    }

    /**
     * @return what to pass on, or null to skip the record silently (e.g. another domain's)
     * @throws IllegalArgumentException if the record is not usable; it goes to the dead-letter topic with the message
     */
    protected abstract O convert(T record, RawRecord raw);

    @Override
    protected O decode(RawRecord r) {
        return convert(deserializer.deserialize(r.topic, r.value), r);
    }
}
