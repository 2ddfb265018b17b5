package io.kingfisher.features;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One declared feature. A definition names its output(s), the event fields it reads and the per-entity
 * state it keeps; {@link FeatureEngine} does the arithmetic. Definitions are values: two specs with the same
 * definitions have the same {@link FeatureSpec#hash()}.
 */
public sealed interface FeatureDef extends java.io.Serializable {

    /** Base name; multi-output features name their columns {@code name[suffix]}. */
    String name();

    /** Output column names, in order. */
    List<String> outputs();

    /** Numbers of per-entity state slots (doubles) this feature keeps. */
    default int stateSlots() {
        return 0;
    }

    /** Numeric event fields read. */
    default List<String> numericFields() {
        return List.of();
    }

    /** Text (string, enum, boolean) event fields read. */
    default List<String> textFields() {
        return List.of();
    }

    /** Canonical text used for the spec hash. */
    String canonical();

    /** How a raw number is shaped before it becomes a feature. */
    enum Transform {
        NONE, LOG1P;

        double apply(double v) {
            return this == LOG1P ? Math.log1p(Math.max(0.0, v)) : v;
        }
    }

    /** The field's value (transformed); a missing value is imputed with {@code impute} and flagged in a second column when {@code missingIndicator}. */
    record Numeric(String name, String field, Transform transform, double impute, boolean missingIndicator) implements FeatureDef {
        public Numeric {
            requireName(name);
            requireName(field);
            Objects.requireNonNull(transform, "transform");
        }

        public static Numeric of(String field, Transform transform) {
            return new Numeric(field, field, transform, 0.0, false);
        }

        @Override public List<String> outputs() {
            return missingIndicator ? List.of(name, name + "[missing]") : List.of(name);
        }

        @Override public List<String> numericFields() {
            return List.of(field);
        }

        @Override public String canonical() {
            return "numeric(" + name + "," + field + "," + transform + "," + impute + "," + missingIndicator + ")";
        }
    }

    /** One-hot over known categories, plus a reserved bucket for anything else (unseen or missing). */
    record OneHot(String name, String field, List<String> categories) implements FeatureDef {
        public OneHot {
            requireName(name);
            requireName(field);
            categories = List.copyOf(categories);
            if (categories.isEmpty()) {
                throw new FeatureSpecException(name, "a one-hot feature needs at least one category");
            }
            if (categories.stream().distinct().count() != categories.size()) {
                throw new FeatureSpecException(name, "categories repeat: " + categories);
            }
        }

        @Override public List<String> outputs() {
            List<String> out = new java.util.ArrayList<>(categories.size() + 1);
            for (String c : categories) {
                out.add(name + "[" + c + "]");
            }
            out.add(name + "[other]");
            return List.copyOf(out);
        }

        @Override public List<String> textFields() {
            return List.of(field);
        }

        @Override public String canonical() {
            return "onehot(" + name + "," + field + "," + String.join("|", categories) + ")";
        }
    }

    /** Hour of the event's day (UTC) on the unit circle: two columns, sin and cos. */
    record HourOfDay(String name) implements FeatureDef {
        public HourOfDay {
            requireName(name);
        }

        @Override public List<String> outputs() {
            return List.of(name + "[sin]", name + "[cos]");
        }

        @Override public String canonical() {
            return "hour_of_day(" + name + ")";
        }
    }

    /**
     * Exponentially decayed count of the entity's earlier events, {@code log1p}-scaled: a constant-size
     * stand-in for "events in the last {@code halfLife}-ish" that costs O(1) per event.
     */
    record DecayedCount(String name, Duration halfLife) implements FeatureDef {
        public DecayedCount {
            requireName(name);
            requirePositive(name, halfLife);
        }

        @Override public List<String> outputs() {
            return List.of(name);
        }

        @Override public int stateSlots() {
            return 2; // decayed count, time of last update
        }

        @Override public String canonical() {
            return "decayed_count(" + name + "," + halfLife.toMillis() + ")";
        }
    }

    /**
     * {@code log((value + 1) / (ewma + 1))}: how the value compares with the entity's exponentially weighted
     * average of earlier values (0 for the first event).
     */
    record EwmaRatio(String name, String field, Duration halfLife) implements FeatureDef {
        public EwmaRatio {
            requireName(name);
            requireName(field);
            requirePositive(name, halfLife);
        }

        @Override public List<String> outputs() {
            return List.of(name);
        }

        @Override public int stateSlots() {
            return 3; // weighted sum, total weight, time of last update
        }

        @Override public List<String> numericFields() {
            return List.of(field);
        }

        @Override public String canonical() {
            return "ewma_ratio(" + name + "," + field + "," + halfLife.toMillis() + ")";
        }
    }

    /** {@code log1p(seconds since the entity's previous event)}, capped at {@code cap} (also the value for a first event). */
    record TimeSinceLast(String name, Duration cap) implements FeatureDef {
        public TimeSinceLast {
            requireName(name);
            requirePositive(name, cap);
        }

        @Override public List<String> outputs() {
            return List.of(name);
        }

        @Override public int stateSlots() {
            return 1; // time of the previous event (NaN before the first)
        }

        @Override public String canonical() {
            return "time_since_last(" + name + "," + cap.toMillis() + ")";
        }
    }

    /** 1 when the field differs from the value the entity showed first (e.g. a card used abroad), else 0. */
    record DiffersFromFirst(String name, String field) implements FeatureDef {
        public DiffersFromFirst {
            requireName(name);
            requireName(field);
        }

        @Override public List<String> outputs() {
            return List.of(name);
        }

        @Override public int stateSlots() {
            return 1; // hash of the first value (NaN before the first)
        }

        @Override public List<String> textFields() {
            return List.of(field);
        }

        @Override public String canonical() {
            return "differs_from_first(" + name + "," + field + ")";
        }
    }

    private static void requireName(String s) {
        if (s == null || s.isBlank()) {
            throw new FeatureSpecException(String.valueOf(s), "names and fields must be non-empty");
        }
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new FeatureSpecException(name, "duration must be positive, was " + d);
        }
    }
}
