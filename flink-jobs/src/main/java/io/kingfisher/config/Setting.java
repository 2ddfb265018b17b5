package io.kingfisher.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One typed setting: key, description, default (null = required), parser and check. Declared once as a
 * constant; {@link Config#get(Setting)} parses and checks it and names the key in every error.
 */
public final class Setting<T> {
    private final String key;
    private final String description;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Predicate<T> check;
    private final String checkDescription;

    private Setting(String key, String description, T defaultValue, Function<String, T> parser,
                    Predicate<T> check, String checkDescription) {
        this.key = Objects.requireNonNull(key);
        this.description = description;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.check = check;
        this.checkDescription = checkDescription;
    }

    public static Setting<String> string(String key, String description, String defaultValue) {
        return new Setting<>(key, description, defaultValue, s -> s, s -> !s.isBlank(), "must not be blank");
    }

    public static Setting<Integer> integer(String key, String description, Integer defaultValue, int min, int max) {
        return new Setting<>(key, description, defaultValue, Integer::parseInt, v -> v >= min && v <= max,
                "must be in [" + min + ", " + max + "]");
    }

    public static Setting<Double> decimal(String key, String description, Double defaultValue, double min, double max) {
        return new Setting<>(key, description, defaultValue, Double::parseDouble, v -> v >= min && v <= max,
                "must be in [" + min + ", " + max + "]");
    }

    public static Setting<Duration> duration(String key, String description, Duration defaultValue, Duration min) {
        return new Setting<>(key, description, defaultValue, Setting::parseDuration, v -> v.compareTo(min) >= 0,
                "must be at least " + format(min));
    }

    public static <E extends Enum<E>> Setting<E> choice(String key, String description, E defaultValue, Class<E> type) {
        return new Setting<>(key, description, defaultValue, s -> Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT).replace('-', '_')),
                v -> true, "one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
    }

    /**
     * A choice among an enum's constants, each spelled its own way in configuration (e.g. {@code cuda-or-cpu}).
     *
     * @param spelling how a constant is written; matched case-insensitively, surrounding blanks ignored
     */
    public static <E extends Enum<E>> Setting<E> choice(String key, String description, E defaultValue, Class<E> type,
                                                        Function<E, String> spelling) {
        E[] values = type.getEnumConstants();
        Function<String, E> parser = s -> {
            for (E v : values) {
                if (spelling.apply(v).equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
            throw new IllegalArgumentException((String) null);
        };
        return new Setting<>(key, description, defaultValue, parser, v -> true,
                "one of " + java.util.Arrays.stream(values).map(spelling).toList());
    }

    public String key() {
        return key;
    }

    public String description() {
        return description;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public boolean required() {
        return defaultValue == null;
    }

    /** Parses and checks a raw value; throws {@link ConfigException} naming the key. */
    public T parse(String raw) {
        T v;
        try {
            v = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new ConfigException(key, "cannot parse '" + raw + "'" + (checkDescription.startsWith("one of") ? ", expected " + checkDescription : "")
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
        check(v);
        return v;
    }

    void check(T v) {
        if (!check.test(v)) {
            throw new ConfigException(key, checkDescription + ", was " + (v instanceof Duration d ? format(d) : v));
        }
    }

    /** Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, or ISO-8601 ({@code PT5M}). */
    public static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p") || t.startsWith("-p")) {
            return Duration.parse(s.trim().toUpperCase(Locale.ROOT));
        }
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.' || t.charAt(i) == '-')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("expected a duration like 500ms, 30s, 5m, 2h or 7d");
        }
        double n = Double.parseDouble(t.substring(0, i));
        String unit = t.substring(i).trim();
        double ms = switch (unit) {
            case "ms" -> n;
            case "s", "" -> n * 1000;
            case "m", "min" -> n * 60_000;
            case "h" -> n * 3_600_000;
            case "d" -> n * 86_400_000;
            default -> throw new IllegalArgumentException("unknown unit '" + unit + "' (ms, s, m, h, d)");
        };
        return Duration.ofMillis(Math.round(ms));
    }

    /** Short human form: 500ms, 30s, 5m, 2h, 7d. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0 && ms != 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms != 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0 && ms != 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    @Override
    public String toString() {
        return key;
    }
}
