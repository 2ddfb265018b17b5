package io.kingfisher.features;

import java.util.List;
import java.util.Objects;

/**
 * A second entity an event names in one of its fields (the merchant of a payment, the item of an impression, the ward
 * of an observation), with features of its own, which the primary entity's vector reads through
 * {@link FeatureDef.Lookup}s. Declared in a {@link FeatureSpec} next to the primary features; one generic mechanism,
 * whatever the entity.
 *
 * <p><b>Staging.</b> An event first passes the primary entity's stage (its own features, keyed by the primary key, as
 * without related entities), then one stage per related entity, keyed by {@code keyField}: the stage reads the
 * related entity's state, computes its vector as of the event, folds the event in and attaches the vector to the
 * event; a last stateless step fills the primary vector's lookup columns and the derived features that read them.
 * Related entities that look up other related entities run after them ({@link FeatureSpec#related()} is in stage
 * order); a cycle of lookups is an error. The offline path ({@link OfflineFeatures}) runs the same stages in the same
 * order, with the same {@link FeatureEngine}.
 *
 * <p><b>Point in time.</b> A related entity is fed by many primary entities, whose events reach its stage interleaved
 * from many partitions, so "the events it has seen before this one" would depend on which partition ran ahead. Its
 * features are therefore read <em>as of the event's time bucket</em>: an event at {@code t} reads the related
 * entity's events in the {@code window / bucket} complete buckets before the bucket holding {@code t}, never the
 * event's own bucket or a later one. So a related column never includes an event later than the event it describes
 * (nor any at most a bucket earlier: the price of not seeing the future is up to one bucket of freshness), and it does
 * not depend on how partitions interleave, except for an event still in flight from an earlier bucket when this one
 * is read. To read the whole window of any event within the spec's allowed lateness, the ring keeps
 * {@code window / bucket + 1 + ceil(allowed lateness / bucket)} buckets. Hence only kinds kept in time buckets are
 * allowed: {@link FeatureDef.Window}, windowed {@link FeatureDef.DistinctCount}, and {@link FeatureDef.Ratio} /
 * {@link FeatureDef.Difference} / {@link FeatureDef.Lookup} over them.
 *
 * <p>An event whose {@code keyField} is missing or empty, or which is further behind the related entity's latest
 * event than the allowed lateness, reads zeros for the entity (as an empty window does) and is not folded in; it is
 * still scored.
 *
 * <p><b>Label features.</b> A related entity may also have features over the <em>labels</em> that name it
 * ({@link #withLabels}): a chargeback names the merchant it was filed against, a click the item clicked. They are kept
 * per entity in time buckets by the label's time (when it became known), and read as of the event's bucket like the
 * entity's own features, so the primary vector can carry a merchant's recent fraud count or an item's clicks and,
 * through a {@link FeatureDef.Ratio} of two lookups, a merchant's fraud rate or an item's click-through rate. A label
 * is an input of one numeric field, {@value #LABEL_FIELD} (1 for a positive label, 0 for a negative one), and the
 * text fields that hold the entities' keys in the label record ({@link FeatureSpec#labelTextInputs()}); label
 * features may read only {@value #LABEL_FIELD} (or nothing, to count labels). A label further behind the entity's
 * latest label than the allowed lateness is counted and not folded in. The label features' columns follow the
 * entity's own in its vector.
 *
 * @param name          the entity's name: a lower-case identifier, the prefix of its columns in the primary vector
 * @param keyField      the event field holding the entity's key (read as text)
 * @param features      the entity's own features, computed per entity like the primary's
 * @param labelKeyField the label record's field holding the entity's key, or null without label features
 * @param labelFeatures features over the labels naming the entity; empty without
 */
public record RelatedEntity(String name, String keyField, List<FeatureDef> features, String labelKeyField,
                            List<FeatureDef> labelFeatures) implements java.io.Serializable {
    /** The numeric input of a label: 1 for a positive label, 0 for a negative one. */
    public static final String LABEL_FIELD = "label";

    public RelatedEntity {
        requireEntityName(name);
        if (keyField == null || keyField.isBlank()) {
            throw new FeatureSpecException(name, "a related entity needs the event field holding its key");
        }
        features = List.copyOf(Objects.requireNonNull(features, "features"));
        if (features.isEmpty()) {
            throw new FeatureSpecException(name, "a related entity needs at least one feature");
        }
        labelFeatures = List.copyOf(Objects.requireNonNull(labelFeatures, "labelFeatures"));
        if (!labelFeatures.isEmpty() && (labelKeyField == null || labelKeyField.isBlank())) {
            throw new FeatureSpecException(name, "label features need the label field holding the entity's key");
        }
        if (labelFeatures.isEmpty()) {
            labelKeyField = null;
        }
        for (FeatureDef d : labelFeatures) {
            for (String f : d.numericFields()) {
                if (!f.equals(LABEL_FIELD)) {
                    throw new FeatureSpecException(d.name(), "a label feature of '" + name + "' can read only the field '"
                            + LABEL_FIELD + "' (1 for a positive label, 0 for a negative one), not '" + f + "'");
                }
            }
            if (!d.textFields().isEmpty() || d instanceof FeatureDef.Lookup) {
                throw new FeatureSpecException(d.name(), "a label feature of '" + name + "' reads only the label's value; "
                        + "it cannot read text fields or look up entities");
            }
        }
    }

    public RelatedEntity(String name, String keyField, List<FeatureDef> features) {
        this(name, keyField, features, null, List.of());
    }

    public static RelatedEntity of(String name, String keyField, FeatureDef... features) {
        return new RelatedEntity(name, keyField, List.of(features));
    }

    /**
     * The same entity with features over the labels that name it in {@code labelKeyField} (see the class comment),
     * e.g. {@code Window.of("frauds_7d", "label", 7 days, 1 day, Agg.SUM)}.
     */
    public RelatedEntity withLabels(String labelKeyField, FeatureDef... labelFeatures) {
        return new RelatedEntity(name, keyField, features, labelKeyField, List.of(labelFeatures));
    }

    /** Whether the entity has features over labels. */
    public boolean hasLabelFeatures() {
        return !labelFeatures.isEmpty();
    }

    static void requireEntityName(String name) {
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new FeatureSpecException(String.valueOf(name), "an entity name must be a lower-case identifier ([a-z][a-z0-9_]*)");
        }
    }
}
