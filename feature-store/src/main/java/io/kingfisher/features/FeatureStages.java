package io.kingfisher.features;

import java.util.Arrays;

/**
 * The stages that compute a vector, in plain Java, for the streaming operators and the offline path alike: the
 * primary entity's stage ({@link FeatureEngine#computeStage} with the primary entity's state), one stage per related
 * entity in {@link FeatureSpec#related()} order ({@link #relate}, with the related entity's state), then
 * {@link #finish}, which fills the lookup columns. Between the stages the related entities' vectors travel with the
 * event as one {@code float[]} ({@link #newRelated()}), each at its {@link FeatureSpec#relatedOffset}. A spec without
 * related entities has the primary stage only. A related entity with label features also keeps a label state, which
 * only labels fold into ({@link #foldLabel}) and events read ({@link #relate}). Thread-safe: all mutable data lives
 * in the arrays the caller passes.
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
    /** Per related stage, the engine of its label features, or null. */
    private final FeatureEngine[] labels;

    public FeatureStages(FeatureSpec spec) {
        if (spec.entity() != null) {
            throw new IllegalArgumentException("stages are built from a primary spec, not from related entity '" + spec.entity() + "'");
        }
        this.spec = spec;
        this.primary = new FeatureEngine(spec);
        this.related = new FeatureEngine[spec.related().size()];
        this.labels = new FeatureEngine[related.length];
        for (int i = 0; i < related.length; i++) {
            related[i] = new FeatureEngine(spec.relatedSpec(i));
            labels[i] = spec.relatedLabelSpec(i) == null ? null : new FeatureEngine(spec.relatedLabelSpec(i));
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

    /** The engine of the label features of the related entity at {@code stage}, or null when it has none. */
    public FeatureEngine labels(int stage) {
        return labels[stage];
    }

    /**
     * The key of the related entity at {@code stage} among a label's text inputs ({@link FeatureSpec#labelTextInputs()}),
     * or null when missing or empty, or when the entity has no label features.
     */
    public String labelKey(int stage, String[] labelTexts) {
        int i = spec.relatedLabelKeyInput(stage);
        String key = i < 0 ? null : labelTexts[i];
        return key == null || key.isEmpty() ? null : key;
    }

    /**
     * Folds a label (an input over {@link RelatedEntity#LABEL_FIELD} and {@link FeatureSpec#labelTextInputs()}, at its
     * label time) into the label state of the related entity at {@code stage}: {@link Outcome#ACCEPTED}, or
     * {@link Outcome#LATE} (further behind the entity's latest label than the allowed lateness; state unchanged).
     */
    public Outcome foldLabel(int stage, double[] labelState, InputEvent label) {
        try {
            labels[stage].computeStage(labelState, label, null, new float[spec.relatedLabelSpec(stage).width()]);
            return Outcome.ACCEPTED;
        } catch (LateEventException late) {
            return Outcome.LATE;
        }
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

    /** As {@link #relate(int, double[], double[], InputEvent, float[])} for an entity without label features. */
    public Outcome relate(int stage, double[] state, InputEvent e, float[] related) {
        return relate(stage, state, null, e, related);
    }

    /**
     * The related stage {@code stage}: writes the entity's vector as of the event into {@code related} at the entity's
     * offset (the vectors of the entities staged before are there already, for its lookups): its own columns, then
     * those of its label features read from {@code labelState} as of the event; and folds the event into
     * {@code state}. An event that names no entity, or is late for it, reads zeros for all of the entity's columns.
     *
     * @param state      the entity's state ({@link FeatureEngine#newState()} of {@link #related(int)} for a new one), or
     *                   null when the event names no entity for this stage
     * @param labelState the state of the entity's label features, or null when it has none or no label named it yet
     */
    public Outcome relate(int stage, double[] state, double[] labelState, InputEvent e, float[] related) {
        int offset = spec.relatedOffset(stage);
        int width = spec.relatedSpec(stage).width();
        int end = spec.relatedOffset(stage + 1);
        if (state == null) {
            Arrays.fill(related, offset, end, 0f);
            return Outcome.NO_KEY;
        }
        float[] own = new float[width];
        try {
            this.related[stage].computeStage(state, e, related, own);
        } catch (LateEventException late) {
            Arrays.fill(related, offset, end, 0f);
            return Outcome.LATE;
        }
        System.arraycopy(own, 0, related, offset, width);
        if (labels[stage] != null) {
            if (labelState == null) {
                Arrays.fill(related, offset + width, end, 0f);
            } else {
                float[] fromLabels = new float[end - offset - width];
                labels[stage].read(labelState, e.eventTime, related, fromLabels);
                System.arraycopy(fromLabels, 0, related, offset + width, fromLabels.length);
            }
        }
        return Outcome.ACCEPTED;
    }

    /** The last step: the primary vector's lookup columns, and what derives from them, from the attached vectors. */
    public void finish(float[] related, float[] features) {
        primary.finish(related, features);
    }
}
