package io.kingfisher.features;

import java.util.HashMap;
import java.util.Map;

/**
 * The offline path: the same {@link FeatureEngine} run over historical events, one state per entity in memory.
 * Feed it events in the order the stream would see them (per entity; out of order within the allowed lateness
 * is fine) and it produces the same vectors the streaming operator emits and rejects the same late events,
 * which is what makes a training set free of train/serve skew.
 */
public final class OfflineFeatures {
    private final FeatureEngine engine;
    private final Map<String, double[]> states = new HashMap<>();

    public OfflineFeatures(FeatureSpec spec) {
        this.engine = new FeatureEngine(spec);
    }

    /**
     * The event's vector as of just before it; updates the entity's state.
     *
     * @throws LateEventException    the event is later than the spec allows; the state is unchanged
     * @throws InvalidInputException a numeric input is infinite; the state is unchanged
     */
    public float[] next(InputEvent e) {
        double[] s = states.get(e.entity);
        if (s == null) {
            s = engine.newState();
            float[] features = engine.computeAndUpdate(s, e);
            states.put(e.entity, s); // only once accepted
            return features;
        }
        return engine.computeAndUpdate(s, e);
    }

    /** Entities seen so far. */
    public int entities() {
        return states.size();
    }
}
