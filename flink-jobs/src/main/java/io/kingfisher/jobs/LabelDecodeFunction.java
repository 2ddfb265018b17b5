package io.kingfisher.jobs;

import io.kingfisher.domain.Domain;
import io.kingfisher.domain.LabelRule;
import io.kingfisher.feedback.LabelEvent;
import org.apache.avro.generic.GenericRecord;

/**
 * Decodes {@code <domain>.labels} records (see {@link LabelRecordDecodeFunction}) and reduces each to a
 * {@link LabelEvent} as the domain's label rule reads it: the key it joins on (the labelled event's id, or the
 * entity), its time, and whether it says positive. A label that cannot be decoded or
 * lacks a field goes to the dead-letter side output with the reason and its bytes.
 */
public class LabelDecodeFunction extends LabelRecordDecodeFunction<LabelEvent> {
    private static final long serialVersionUID = 1L;

    public LabelDecodeFunction(Domain domain, String registryUrl) {
        super(domain, registryUrl, "decode-label");
    }

    @Override
    protected LabelEvent convert(GenericRecord label, RawRecord r) {
        return toLabel(domain.labels(), label, r.timestamp).at(r.partition, r.offset);
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
