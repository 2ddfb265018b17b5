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
 * @param name     the entity's name: a lower-case identifier, the prefix of its columns in the primary vector
 * @param keyField the event field holding the entity's key (read as text)
 * @param features the entity's own features, computed per entity like the primary's
 */
public record RelatedEntity(String name, String keyField, List<FeatureDef> features) implements java.io.Serializable {
    public RelatedEntity {
        requireEntityName(name);
        if (keyField == null || keyField.isBlank()) {
            throw new FeatureSpecException(name, "a related entity needs the event field holding its key");
        }
        features = List.copyOf(Objects.requireNonNull(features, "features"));
        if (features.isEmpty()) {
            throw new FeatureSpecException(name, "a related entity needs at least one feature");
        }
    }

    public static RelatedEntity of(String name, String keyField, FeatureDef... features) {
        return new RelatedEntity(name, keyField, List.of(features));
    }

    static void requireEntityName(String name) {
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new FeatureSpecException(String.valueOf(name), "an entity name must be a lower-case identifier ([a-z][a-z0-9_]*)");
        }
    }
}
