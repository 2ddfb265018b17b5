package io.kingfisher.jobs;

import io.kingfisher.schemas.core.TrainingExample;
import io.kingfisher.trainer.online.Example;

import java.util.List;

/** {@code <domain>.examples} records → the online learner's {@link Example}, with their topic position. */
public class ExampleDecodeFunction extends SpecificDecodeFunction<TrainingExample, Example> {
    private static final long serialVersionUID = 1L;

    private final String domain;
    private final String featureSpecHash;

    public ExampleDecodeFunction(String domain, String featureSpecHash, String registryUrl) {
        super(TrainingExample.class, registryUrl, "decode-example");
        this.domain = domain;
        this.featureSpecHash = featureSpecHash;
    }

    @Override
    protected Example convert(TrainingExample t, RawRecord raw) {
        if (!domain.equals(t.getDomain())) {
            throw new IllegalArgumentException("example of domain '" + t.getDomain() + "' on the topic of '" + domain + "'");
        }
        if (!featureSpecHash.equals(t.getFeatureSpecHash())) {
            throw new IllegalArgumentException("example " + t.getEventId() + " was scored with feature spec "
                    + t.getFeatureSpecHash() + ", this trainer's is " + featureSpecHash);
        }
        List<Float> f = t.getFeatures();
        float[] x = new float[f.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = f.get(i);
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("example " + t.getEventId() + " has a non-finite feature " + i);
            }
        }
        return new Example(x, (float) t.getLabel(), t.getScore(), t.getModelVersion(), t.getEventTime(),
                t.getLabelIngestTime(), t.getLabelSource(), raw.partition, raw.offset);
    }
}
