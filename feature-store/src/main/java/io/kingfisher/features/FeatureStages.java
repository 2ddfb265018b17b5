package io.kingfisher.features;

import java.util.Arrays;

/**
 * The stages that compute a vector, in plain Java, for the streaming operators and the offline path alike: the
 * primary entity's stage ({@link FeatureEngine#computeStage} with the primary entity's state), one stage per related
 * entity in {@link FeatureSpec#related()} order ({@link #relate}, with the related entity's state), then
 * {@link #finish}, which fills the lookup columns. Between the stages the related entities' vectors travel with the
 * event as one {@code float[]} ({@link #newRelated()}), each at its {@link FeatureSpec#relatedOffset}. A spec without
 * related entities has the primary stage only. Thread-safe: all mutable data lives in the arrays the caller passes.
 */
public final class FeatureStages implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** What a related stage did with an event. */
    public enum Outcome {
        /** The entity's vector as of the event was attached and the event folded into its state. */
        ACCEPTED,
        /** The event names no such entity (missing or empty key): zeros attached, no state. */
        NO_KEY,
        /** The event is further behind the entity's latest event than the allowed lateness: zeros attached, state unchanged. */
        LATE
    }

    private final FeatureSpec spec;
    private final FeatureEngine primary;
    private final FeatureEngine[] related;

    public FeatureStages(FeatureSpec spec) {
        if (spec.entity() != null) {
            throw new IllegalArgumentException("stages are built from a primary spec, not from related entity '" + spec.entity() + "'");
        }
        this.spec = spec;
        this.primary = new FeatureEngine(spec);
        this.related = new FeatureEngine[spec.related().size()];
        for (int i = 0; i < related.length; i++) {
            related[i] = new FeatureEngine(spec.relatedSpec(i));
        }
    }

    public FeatureSpec spec() {
        return spec;
    }

    /** The primary entity's engine. */
    public FeatureEngine primary() {
        return primary;
    }

    /** Number of related stages. */
    public int relatedStages() {
        return related.length;
    }

    /** The engine of the related entity at {@code stage}. */
    public FeatureEngine related(int stage) {
        return related[stage];
    }

    /** The key of the related entity at {@code stage} among an event's text inputs, or null when missing or empty. */
    public String relatedKey(int stage, String[] texts) {
        String key = texts[spec.relatedKeyInput(stage)];
        return key == null || key.isEmpty() ? null : key;
    }

    /** An empty attachment for the related entities' vectors of one event. */
    public float[] newRelated() {
        return new float[spec.relatedWidth()];
    }

    /**
     * The related stage {@code stage}: writes the entity's vector as of the event into {@code related} at the entity's
     * offset (the vectors of the entities staged before are there already, for its lookups) and folds the event into
     * {@code state}.
     *
     * @param state the entity's state ({@link FeatureEngine#newState()} of {@link #related(int)} for a new one), or null
     *              when the event names no entity for this stage
     */
    public Outcome relate(int stage, double[] state, InputEvent e, float[] related) {
        int offset = spec.relatedOffset(stage);
        int width = spec.relatedSpec(stage).width();
        if (state == null) {
            Arrays.fill(related, offset, offset + width, 0f);
            return Outcome.NO_KEY;
        }
        float[] own = new float[width];
        try {
            this.related[stage].computeStage(state, e, related, own);
        } catch (LateEventException late) {
            Arrays.fill(related, offset, offset + width, 0f);
            return Outcome.LATE;
        }
        System.arraycopy(own, 0, related, offset, width);
        return Outcome.ACCEPTED;
    }

    /** The last step: the primary vector's lookup columns, and what derives from them, from the attached vectors. */
    public void finish(float[] related, float[] features) {
        primary.finish(related, features);
    }
}
