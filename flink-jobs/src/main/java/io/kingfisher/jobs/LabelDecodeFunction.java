package io.kingfisher.jobs;

import io.kingfisher.domain.Domain;
import io.kingfisher.domain.LabelRule;
import io.kingfisher.feedback.LabelEvent;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * Decodes {@code <domain>.labels} records with the domain's label schema (reader schema, so evolved writers
 * resolve) and reduces each to a {@link LabelEvent} as the domain's label rule reads it: the key it joins on (the
 * labelled event's id, or the entity), its time, and whether it says positive. A label that cannot be decoded or
 * lacks a field goes to the dead-letter side output with the reason and its bytes.
 */
public class LabelDecodeFunction extends DecodingFunction<LabelEvent> {
    private static final long serialVersionUID = 1L;

    private final Domain domain;
    private final String registryUrl;
    private transient AvroWireDeserializer<GenericRecord> deserializer;

    public LabelDecodeFunction(Domain domain, String registryUrl) {
        super("decode-label");
        this.domain = domain;
        this.registryUrl = registryUrl;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        super.open(ctx);
        deserializer = AvroWireDeserializer.generic(new RestSchemaRegistryClient(registryUrl), domain.labels().schema());
    }

    @Override
    protected LabelEvent decode(RawRecord r) {
        return toLabel(domain.labels(), deserializer.deserialize(r.topic, r.value), r.timestamp).at(r.partition, r.offset);
    }

    /**
     * @param ingestTime the label record's Kafka timestamp
     * @throws IllegalArgumentException naming the field when the join key or the time is missing
     */
    static LabelEvent toLabel(Domain.Labels labels, GenericRecord rec, long ingestTime) {
        LabelRule rule = labels.rule();
        String keyField = rule instanceof LabelRule.ByEventId byId ? byId.idField() : labels.keyField();
        Object key = rec.get(keyField);
        if (key == null || key.toString().isEmpty()) {
            throw new IllegalArgumentException("label field '" + keyField + "' (the join key) is empty");
        }
        Object time = rec.get(labels.timeField());
        if (!(time instanceof Number n)) {
            throw new IllegalArgumentException("label field '" + labels.timeField() + "' (the label time) is missing");
        }
        return new LabelEvent(key.toString(), n.longValue(), rule.value().isPositive(rec), ingestTime);
    }
}
