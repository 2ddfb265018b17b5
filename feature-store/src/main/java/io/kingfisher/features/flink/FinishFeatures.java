package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeatureStages;
import io.kingfisher.features.FeaturedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * The last step of a spec with related entities: fills the lookup columns from the attached vectors
 * ({@link FeatureStages#finish}) and emits the event as a {@link FeaturedEvent}, as without related entities.
 * Stateless.
 */
public class FinishFeatures extends RichMapFunction<StagedEvent, FeaturedEvent> {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private transient FeatureStages stages;

    public FinishFeatures(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext ctx) {
        stages = new FeatureStages(spec);
    }

    @Override
    public FeaturedEvent map(StagedEvent e) {
        stages.finish(e.related, e.features);
        return e.featured();
    }
}
