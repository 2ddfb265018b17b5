package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeatureStages;
import io.kingfisher.features.FeaturedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * The last feature stage of a spec with related entities: fills the lookup columns from the attached vectors
 * ({@link FeatureStages#finish}) and drops what only the stages needed, so the event leaves as it would without
 * related entities. Stateless.
 */
public class FinishFeatures extends RichMapFunction<FeaturedEvent, FeaturedEvent> {
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
    public FeaturedEvent map(FeaturedEvent e) {
        stages.finish(e.related, e.features);
        e.numbers = null;
        e.texts = null;
        e.related = null;
        return e;
    }
}
