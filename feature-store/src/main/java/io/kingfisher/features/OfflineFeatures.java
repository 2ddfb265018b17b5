package io.kingfisher.features;

import java.util.HashMap;
import java.util.Map;

/**
 * The offline path: the same {@link FeatureEngine} run over historical events in event-time order, one state
 * per entity in memory. Feed it events in the order the stream would see them and it produces the same
 * vectors the streaming operator emits, which is what makes a training set free of train/serve skew.
 */
public final class OfflineFeatures {
    private final FeatureEngine engine;
    private final Map<String, double[]> states = new HashMap<>();

    public OfflineFeatures(FeatureSpec spec) {
        this.engine = new FeatureEngine(spec);
    }

    /** The event's vector as of just before it; updates the entity's state. */
    public float[] next(InputEvent e) {
        double[] s = states.computeIfAbsent(e.entity, k -> engine.newState());
        return engine.computeAndUpdate(s, e);
    }

    /** Entities seen so far. */
    public int entities() {
        return states.size();
    }
}
