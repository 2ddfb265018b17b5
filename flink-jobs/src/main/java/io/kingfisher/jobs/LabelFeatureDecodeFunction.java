package io.kingfisher.jobs;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.InputEvent;
import io.kingfisher.feedback.LabelEvent;
import org.apache.avro.generic.GenericRecord;

import java.util.List;

/**
 * Decodes {@code <domain>.labels} records for the scoring job's label features
 * ({@link io.kingfisher.features.RelatedEntity#withLabels}): each label becomes an {@link InputEvent} over the labels'
 * layout (its value, 1 or 0, as the one number; the label fields holding the related entities' keys as the texts) at
 * the time it became known. A label that cannot be decoded goes to the side output like any record; the scoring job
 * does not dead-letter it, since the learning job reads the same topic and dead-letters it there, once.
 */
public class LabelFeatureDecodeFunction extends LabelRecordDecodeFunction<InputEvent> {
    private static final long serialVersionUID = 1L;

    public LabelFeatureDecodeFunction(Domain domain, String registryUrl) {
        super(domain, registryUrl, "decode-label-features");
        if (!domain.features().hasLabelFeatures()) {
            throw new IllegalArgumentException("domain '" + domain.name() + "' has no label features");
        }
    }

    @Override
    protected InputEvent convert(GenericRecord label, RawRecord r) {
        InputEvent in = toInput(domain.labels(), domain.features(), label, r.timestamp);
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
