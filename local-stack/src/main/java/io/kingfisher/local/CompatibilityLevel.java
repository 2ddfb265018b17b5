package io.kingfisher.local;

import java.util.Locale;

/** Confluent's compatibility levels, and which directions and versions each one checks. */
enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    /** The new schema must read data written with the old ones. */
    final boolean backward;
    /** The old schemas must read data written with the new one. */
    final boolean forward;
    /** Checked against every live version, not only the latest. */
    final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /**
     * @param text a level in any case, e.g. {@code "full_transitive"}
     * @throws RegistryError 42203 when it is not a level
     */
    static CompatibilityLevel parse(String text) {
        if (text != null) {
            try {
                return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw RegistryError.invalidCompatibilityLevel(text);
    }
}
