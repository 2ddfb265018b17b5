package io.kingfisher.cli;

import io.kingfisher.config.Setting;

import java.time.Duration;
import java.util.Locale;

/** Parsing of command-line values shared by the commands; every error starts with the flag. */
final class Flags {
    private Flags() {
    }

    /** A duration such as 500ms, 30s, 5m, 2h, 7d; zero allowed, negative not. */
    static Duration duration(String flag, String value) {
        Duration d;
        try {
            d = Setting.parseDuration(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(flag + ": must not be negative, was " + value);
        }
        return d;
    }

    /** A duration that must be longer than zero. */
    static Duration positiveDuration(String flag, String value) {
        Duration d = duration(flag, value);
        if (d.isZero()) {
            throw new IllegalArgumentException(flag + ": must be positive, was " + value);
        }
        return d;
    }

    /** A finite number > 0. */
    static double positive(String flag, String value) {
        double v;
        try {
            v = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": expected a number, was '" + value + "'");
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(flag + ": must be > 0, was " + value);
        }
        return v;
    }

    /** A rate per second, or {@code max} for as fast as possible (returned as 0). */
    static double rateOrMax(String flag, String value) {
        if (value.trim().toLowerCase(Locale.ROOT).equals("max")) {
            return 0;
        }
        try {
            return positive(flag, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (or 'max')");
        }
    }
}
