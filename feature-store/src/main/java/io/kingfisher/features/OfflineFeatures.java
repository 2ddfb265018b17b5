package io.kingfisher.features;

import java.util.HashMap;
import java.util.Map;

/**
 * The offline path: the same {@link FeatureStages} run over historical events, one state per entity (primary and
 * related) in memory. Feed it events in the order the stream would see them (per entity; out of order within the
 * allowed lateness is fine) and it produces the same vectors the streaming operators emit and rejects the same late
 * events, which is what makes a training set free of train/serve skew. A related entity sees the events in the order
 * given here; the streaming stage of a related entity sees them interleaved from many partitions, which its as-of
 * reads make immaterial (see {@link RelatedEntity}). Labels that related entities' label features count go in through
 * {@link #label}, interleaved with the events in the order they became known, as the streaming stage reads them.
 */
public final class OfflineFeatures {
    private final FeatureStages stages;
    private final FeatureSpec spec;
    private final Map<String, double[]> states = new HashMap<>();
    private final Map<String, double[]>[] relatedStates;
    private final Map<String, double[]>[] labelStates;

    @SuppressWarnings("unchecked")
    public OfflineFeatures(FeatureSpec spec) {
        this.stages = new FeatureStages(spec);
        this.spec = spec;
        this.relatedStates = new Map[stages.relatedStages()];
        this.labelStates = new Map[stages.relatedStages()];
        for (int i = 0; i < relatedStates.length; i++) {
            relatedStates[i] = new HashMap<>();
            labelStates[i] = new HashMap<>();
        }
    }

    /**
     * The event's vector as of just before it; updates the entity's state, then each related entity's.
     *
     * @throws LateEventException    the event is later than the spec allows for its primary entity; nothing changed
     * @throws InvalidInputException a numeric input is infinite; nothing changed
     */
    public float[] next(InputEvent e) {
        float[] features = new float[spec.width()];
        double[] s = states.get(e.entity);
        if (s == null) {
            s = stages.primary().newState();
            stages.primary().computeStage(s, e, null, features);
            states.put(e.entity, s); // only once accepted
        } else {
            stages.primary().computeStage(s, e, null, features);
        }
        if (relatedStates.length == 0) {
            return features;
        }
        float[] related = stages.newRelated();
        for (int i = 0; i < relatedStates.length; i++) {
            String key = stages.relatedKey(i, e.texts);
            double[] r = key == null ? null : relatedStates[i].get(key);
            boolean fresh = key != null && r == null;
            if (fresh) {
                r = stages.related(i).newState();
            }
            double[] l = key == null ? null : labelStates[i].get(key);
            if (stages.relate(i, r, l, e, related) == FeatureStages.Outcome.ACCEPTED && fresh) {
                relatedStates[i].put(key, r);
            }
        }
        stages.finish(related, features);
        return features;
    }

    /**
     * Folds a label into the label features of each related entity it names (see {@link RelatedEntity#withLabels}):
     * {@code label.numbers} holds its value, {@code label.texts} the fields of {@link FeatureSpec#labelTextInputs()},
     * {@code label.eventTime} the time it became known.
     *
     * @return how many entities folded it in (a label late for an entity, or naming none, is skipped for it)
     */
    public int label(InputEvent label) {
        int folded = 0;
        for (int i = 0; i < labelStates.length; i++) {
            String key = stages.labelKey(i, label.texts);
            if (key == null) {
                continue;
            }
            double[] l = labelStates[i].get(key);
            boolean fresh = l == null;
            if (fresh) {
                l = stages.labels(i).newState();
            }
            if (stages.foldLabel(i, l, label) == FeatureStages.Outcome.ACCEPTED) {
                folded++;
                if (fresh) {
                    labelStates[i].put(key, l);
                }
            }
        }
        return folded;
    }

    /** Entities seen so far. */
    public int entities() {
        return states.size();
    }

    /** Entities of the related entity at {@code stage} (of {@link FeatureSpec#related()}) seen so far. */
    public int relatedEntities(int stage) {
        return relatedStates[stage].size();
    }
}
