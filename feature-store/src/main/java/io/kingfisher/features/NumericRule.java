package io.kingfisher.features;

/**
 * What a numeric input field must satisfy: present (not null) when {@code required}, and within
 * {@code [min, max]} when present. Non-finite values are always invalid.
 */
public record NumericRule(String field, boolean required, double min, double max) implements java.io.Serializable {
    public NumericRule {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("a numeric rule needs a field name");
        }
        if (!(min <= max)) {
            throw new IllegalArgumentException("rule for '" + field + "': min " + min + " > max " + max);
        }
    }

    public static NumericRule required(String field, double min, double max) {
        return new NumericRule(field, true, min, max);
    }

    public static NumericRule optional(String field, double min, double max) {
        return new NumericRule(field, false, min, max);
    }

    /** Checks one value (NaN = missing); throws naming the field. */
    public void check(double v) {
        if (Double.isNaN(v)) {
            if (required) {
                throw new InvalidInputException(field, "is required but missing");
            }
            return;
        }
        if (v < min || v > max) {
            throw new InvalidInputException(field, "value " + v + " is outside [" + min + ", " + max + "]");
        }
    }
}
