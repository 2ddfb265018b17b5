package io.kingfisher.jobs;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.InputEvent;
import io.kingfisher.feedback.LabelEvent;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;

import java.util.List;

/**
 * Decodes {@code <domain>.labels} records for the scoring job's label features
 * ({@link io.kingfisher.features.RelatedEntity#withLabels}): each label becomes an {@link InputEvent} over the labels'
 * layout (its value, 1 or 0, as the one number; the label fields holding the related entities' keys as the texts) at
 * the time it became known. A label that cannot be decoded goes to the side output like any record; the scoring job
 * does not dead-letter it, since the learning job reads the same topic and dead-letters it there, once.
 */
public class LabelFeatureDecodeFunction extends DecodingFunction<InputEvent> {
    private static final long serialVersionUID = 1L;

    private final Domain domain;
    private final String registryUrl;
    private transient AvroWireDeserializer<GenericRecord> deserializer;

    public LabelFeatureDecodeFunction(Domain domain, String registryUrl) {
        super("decode-label-features");
        if (!domain.features().hasLabelFeatures()) {
            throw new IllegalArgumentException("domain '" + domain.name() + "' has no label features");
        }
        this.domain = domain;
        this.registryUrl = registryUrl;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        super.open(ctx);
        deserializer = AvroWireDeserializer.generic(new RestSchemaRegistryClient(registryUrl), domain.labels().schema());
    }

    @Override
    protected InputEvent decode(RawRecord r) {
        InputEvent in = toInput(domain.labels(), domain.features(), deserializer.deserialize(r.topic, r.value), r.timestamp);
        in.partition = r.partition;
        in.offset = r.offset;
        return in;
    }

    /**
     * The label as the label features read it.
     *
     * @throws IllegalArgumentException naming the field when the join key or the time is missing
     */
    public static InputEvent toInput(Domain.Labels labels, FeatureSpec spec, GenericRecord rec, long ingestTime) {
        LabelEvent label = LabelDecodeFunction.toLabel(labels, rec, ingestTime);
        List<String> fields = spec.labelTextInputs();
        String[] texts = new String[fields.size()];
        for (int i = 0; i < texts.length; i++) {
            Object v = rec.get(fields.get(i));
            texts[i] = v == null ? null : v.toString();
        }
        return new InputEvent(label.joinKey, "", label.labelTime, ingestTime, new double[]{label.positive ? 1 : 0}, texts);
    }
}
