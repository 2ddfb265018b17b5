package io.kingfisher.domain;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a label record says positive or negative.
 *
 * <ul>
 *   <li>{@link Kind#PRESENCE}: the record's existence is the positive (a click); there is no negative record, the
 *       negative is the rule's timeout.</li>
 *   <li>{@link Kind#FLAG}: a boolean field ({@code true} is positive) or a numeric one (non-zero is positive),
 *       e.g. {@code is_fraud}.</li>
 *   <li>{@link Kind#ONE_OF}: a string or enum field whose value is in {@code positives} (e.g. an ICU transfer);
 *       any other value is a negative (e.g. a discharge).</li>
 * </ul>
 *
 * @param kind      which of the three
 * @param field     the field read, null for {@link Kind#PRESENCE}
 * @param positives the positive values for {@link Kind#ONE_OF}, empty otherwise
 */
public record LabelValue(Kind kind, String field, List<String> positives) implements Serializable {

    /** The forms a label value takes. */
    public enum Kind { PRESENCE, FLAG, ONE_OF }

    public LabelValue {
        Objects.requireNonNull(kind, "labels.value kind");
        positives = positives == null ? List.of() : List.copyOf(positives);
        switch (kind) {
            case PRESENCE -> {
                if (field != null || !positives.isEmpty()) {
                    throw new IllegalArgumentException("labels.value: a presence label reads no field");
                }
            }
            case FLAG -> {
                requireField(field);
                if (!positives.isEmpty()) {
                    throw new IllegalArgumentException("labels.value.positives: a flag label takes no positive values");
                }
            }
            case ONE_OF -> {
                requireField(field);
                if (positives.isEmpty()) {
                    throw new IllegalArgumentException("labels.value.positives: name at least one positive value of '" + field + "'");
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** Every label record is a positive; the negative is the timeout. */
    public static LabelValue presence() {
        return new LabelValue(Kind.PRESENCE, null, List.of());
    }

    /** A boolean (true = positive) or numeric (non-zero = positive) field. */
    public static LabelValue flag(String field) {
        return new LabelValue(Kind.FLAG, field, List.of());
    }

    /** A string or enum field; the listed values are positive, any other is negative. */
    public static LabelValue oneOf(String field, String... positives) {
        return new LabelValue(Kind.ONE_OF, field, List.of(positives));
    }

    /**
     * Checks the field against the label schema.
     *
     * @throws IllegalArgumentException naming {@code labels.value.field} when it is missing or of the wrong type
     */
    void validate(Schema schema) {
        if (kind == Kind.PRESENCE) {
            return;
        }
        Schema.Field f = schema.getField(field);
        if (f == null) {
            throw new IllegalArgumentException("labels.value.field: '" + field + "' is not a field of " + schema.getFullName());
        }
        Schema.Type t = nonNull(f.schema()).getType();
        boolean ok = kind == Kind.FLAG
                ? t == Schema.Type.BOOLEAN || t == Schema.Type.INT || t == Schema.Type.LONG || t == Schema.Type.FLOAT
                        || t == Schema.Type.DOUBLE
                : t == Schema.Type.STRING || t == Schema.Type.ENUM;
        if (!ok) {
            throw new IllegalArgumentException("labels.value.field: '" + field + "' is " + t.getName() + ", a "
                    + kind.name().toLowerCase(Locale.ROOT) + " label needs "
                    + (kind == Kind.FLAG ? "a boolean or a number" : "a string or an enum"));
        }
        if (kind == Kind.ONE_OF && t == Schema.Type.ENUM) {
            for (String p : positives) {
                if (!nonNull(f.schema()).hasEnumSymbol(p)) {
                    throw new IllegalArgumentException("labels.value.positives: '" + p + "' is not a symbol of "
                            + nonNull(f.schema()).getFullName() + " " + nonNull(f.schema()).getEnumSymbols());
                }
            }
        }
    }

    /**
     * @param label a record of the label schema
     * @return whether it says positive; a missing (null) field says negative
     */
    public boolean isPositive(IndexedRecord label) {
        if (kind == Kind.PRESENCE) {
            return true;
        }
        Schema.Field f = label.getSchema().getField(field);
        if (f == null) {
            throw new IllegalArgumentException("label record " + label.getSchema().getFullName() + " has no field '" + field + "'");
        }
        Object v = label.get(f.pos());
        if (v == null) {
            return false;
        }
        if (kind == Kind.FLAG) {
            return v instanceof Boolean b ? b : ((Number) v).doubleValue() != 0.0;
        }
        return positives.contains(v.toString());
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PRESENCE -> "present";
            case FLAG -> field;
            case ONE_OF -> field + " in " + positives;
        };
    }

    static Schema nonNull(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            for (Schema b : s.getTypes()) {
                if (b.getType() != Schema.Type.NULL) {
                    return b;
                }
            }
        }
        return s;
    }

    private static void requireField(String field) {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("labels.value.field: required");
        }
    }
}
