package io.kingfisher.streams.features;

import io.kingfisher.schemas.core.FeatureVector;

/**
 * The rules of the lookup's table, in plain Java: which of two vectors of an entity is kept, which records are not
 * stored at all, and that a tombstone (a record without a value) deletes the entity.
 *
 * <p>The scoring job writes an entity's vectors in event order, but an event within the spec's allowed lateness
 * gets a vector too, computed as of its own (older) time. So the stored vector is replaced by a newer write unless
 * that write has the same feature spec and an older event time: the table keeps the vector of the entity's latest
 * event. A vector of another spec always replaces the stored one (a new spec was deployed), whatever its time.
 */
public final class LatestVectors {
    private LatestVectors() {
    }

    /**
     * @param current  the stored vector, or null when the entity has none
     * @param incoming the vector just read
     * @return the vector to keep
     */
    public static FeatureVector newer(FeatureVector current, FeatureVector incoming) {
        if (current == null) {
            return incoming;
        }
        if (incoming == null) {
            return current;
        }
        boolean sameSpec = current.getFeatureSpecHash().equals(incoming.getFeatureSpecHash());
        return sameSpec && incoming.getEventTime() < current.getEventTime() ? current : incoming;
    }

    /** @return whether the record deletes its entity from the table: a tombstone, whatever the stored vector's time */
    public static boolean deletes(FeatureVector vector) {
        return vector == null;
    }

    /**
     * @param key    the record key (the entity the vector is looked up by)
     * @param vector the record value; null for a tombstone, which is no problem: it deletes the entity
     * @return why the record cannot be applied, or null when it can
     */
    public static String problem(String key, FeatureVector vector) {
        if (key == null || key.isEmpty()) {
            return "record has no key (the entity)";
        }
        if (vector == null) {
            return null;
        }
        int names = vector.getNames().size();
        int values = vector.getValues().size();
        if (names != values) {
            return "vector of entity '" + key + "' has " + names + " name(s) but " + values + " value(s)";
        }
        if (!key.equals(vector.getEntity())) {
            return "record key '" + key + "' is not the vector's entity '" + vector.getEntity() + "'";
        }
        return null;
    }
}
