package io.kingfisher.jobs;

import io.kingfisher.domain.Domain;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * Decodes {@code <domain>.labels} records with the domain's label schema (reader schema, so evolved writers resolve)
 * and converts each for the next operator; failures go to the dead-letter side output as in {@link DecodingFunction}.
 *
 * @param <O> what the next operator takes
 */
public abstract class LabelRecordDecodeFunction<O> extends DecodingFunction<O> {
    private static final long serialVersionUID = 1L;

    protected final Domain domain;
    private final String registryUrl;
    private transient AvroWireDeserializer<GenericRecord> deserializer;

    protected LabelRecordDecodeFunction(Domain domain, String registryUrl, String stage) {
        super(stage);
        this.domain = domain;
        this.registryUrl = registryUrl;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        super.open(ctx);
        deserializer = AvroWireDeserializer.generic(new RestSchemaRegistryClient(registryUrl), domain.labels().schema());
    }

    /**
     * @throws IllegalArgumentException if the label is not usable; the message becomes the dead letter's reason
     */
    protected abstract O convert(GenericRecord label, RawRecord raw);

    @Override
    protected O decode(RawRecord r) {
        return convert(deserializer.deserialize(r.topic, r.value), r);
    }
}
