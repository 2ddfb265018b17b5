package io.kingfisher.jobs;

import io.kingfisher.schemas.core.TrainingExample;
import io.kingfisher.trainer.online.Example;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * The feedback join's {@link TrainingExample}s → the online learner's {@link Example}s, inside the learning job: the
 * trainer learns from an example as soon as the join emits it, instead of after a checkpoint has made it visible on
 * {@code <domain>.examples} (which still receives every example, exactly once, for offline training and audit). An
 * example keeps the position of the label record that settled it, which is what each snapshot's
 * {@code input.label_offsets} records.
 */
public class ToExample implements MapFunction<TrainingExample, Example> {
    private static final long serialVersionUID = 1L;

    private final String domain;
    private final String featureSpecHash;

    public ToExample(String domain, String featureSpecHash) {
        this.domain = domain;
        this.featureSpecHash = featureSpecHash;
    }

    @Override
    public Example map(TrainingExample t) {
        return convert(t, domain, featureSpecHash);
    }

    /**
     * @throws IllegalStateException if the example is of another domain or feature spec, or has a non-finite feature:
     *     the join only emits what the scorer scored, so any of these is a bug upstream, not bad input
     */
    static Example convert(TrainingExample t, String domain, String featureSpecHash) {
        if (!domain.equals(t.getDomain())) {
            throw new IllegalStateException("example of domain '" + t.getDomain() + "' in the learning job of '" + domain + "'");
        }
        if (!featureSpecHash.equals(t.getFeatureSpecHash())) {
            throw new IllegalStateException("example " + t.getEventId() + " was scored with feature spec "
                    + t.getFeatureSpecHash() + ", this trainer's is " + featureSpecHash);
        }
        List<Float> f = t.getFeatures();
        float[] x = new float[f.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = f.get(i);
            if (!Float.isFinite(x[i])) {
                throw new IllegalStateException("example " + t.getEventId() + " has a non-finite feature " + i);
            }
        }
        return new Example(x, (float) t.getLabel(), t.getScore(), t.getModelVersion(), t.getEventTime(),
                t.getLabelIngestTime(), t.getLabelSource(), t.getLabelPartition(), t.getLabelOffset(), t.getEntity());
    }
}
