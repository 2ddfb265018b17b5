package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.InputEvent;

import java.time.Duration;

/**
 * The first stage of a spec with related entities: {@link FeatureFunction}'s work (state, TTL, rejected events, the
 * same state name) for the primary entity's own columns, emitting a {@link StagedEvent} that carries the inputs on to
 * the {@link RelatedFeatureOperator} stages. Its output type is {@link StagedEvent#TYPE}.
 */
public class PrimaryStageFunction extends EntityFeatureFunction<StagedEvent> {
    private static final long serialVersionUID = 1L;

    /** @throws IllegalArgumentException if the spec looks up no related entity (use {@link FeatureFunction}) */
    public PrimaryStageFunction(FeatureSpec spec, Duration stateTtl) {
        this(spec, stateTtl, FeatureFunction.DEFAULT_STATE_CACHE_BYTES);
    }

    /**
     * @param cacheBytes heap for the read cache of entity states, per subtask; 0 for none (every event reads its
     *                   entity's state from the state backend)
     */
    public PrimaryStageFunction(FeatureSpec spec, Duration stateTtl, long cacheBytes) {
        super(spec, stateTtl, cacheBytes);
        if (!spec.hasRelated()) {
            throw new IllegalArgumentException(spec + " looks up no related entity: use a FeatureFunction");
        }
    }

    @Override
    StagedEvent emit(InputEvent e, float[] features) {
        return new StagedEvent(e, features, spec);
    }
}
