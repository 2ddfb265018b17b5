package io.kingfisher.config;

import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Raw settings (key → text) checked against a declared set of {@link Setting}s: an unknown key, a missing
 * required one or a bad value fails in {@link #of} with the key named, so a job never starts half-configured.
 * Keys under a {@link PassThrough} prefix are another system's settings (Flink's), checked by that system's rules.
 */
public final class Config implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<String, String> raw;

    private Config(Map<String, String> raw) {
        this.raw = Map.copyOf(raw);
    }

    /**
     * Settings handed on to another system: every key that starts with {@code prefix}, less the prefix.
     *
     * @param check throws {@link IllegalArgumentException} saying what is wrong if that system has no such key (given
     *              less the prefix) or cannot take the value
     */
    public record PassThrough(String prefix, BiConsumer<String, String> check) {
        public PassThrough {
            if (prefix == null || !prefix.endsWith(".")) {
                throw new IllegalArgumentException("a pass-through prefix ends with '.', was " + prefix);
            }
        }
    }

    /** Validates every key and value now; keys under a pass-through's prefix are checked by it. */
    public static Config of(Map<String, String> raw, Collection<Setting<?>> declared, PassThrough... passThroughs) {
        Map<String, Setting<?>> byKey = new HashMap<>();
        for (Setting<?> s : declared) {
            byKey.put(s.key(), s);
        }
        for (String key : new TreeMap<>(raw).keySet()) {
            PassThrough through = null;
            for (PassThrough p : passThroughs) {
                if (key.startsWith(p.prefix())) {
                    through = p;
                }
            }
            if (through != null) {
                try {
                    through.check().accept(key.substring(through.prefix().length()), raw.get(key));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(key, e.getMessage());
                }
            } else if (!byKey.containsKey(key)) {
                List<String> prefixes = java.util.Arrays.stream(passThroughs).map(PassThrough::prefix).toList();
                String known = byKey.isEmpty()
                        ? (prefixes.isEmpty() ? "no settings are taken here" : "only keys under " + String.join(" or ", prefixes) + " are taken here")
                        : "known settings: " + new TreeMap<>(byKey).keySet()
                        + prefixes.stream().map(p -> ", and any key under " + p).collect(java.util.stream.Collectors.joining());
                throw new ConfigException(key, "unknown setting; " + known);
            }
        }
        Map<String, String> clean = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (v != null) {
                clean.put(k, v);
            }
        });
        Config c = new Config(clean);
        for (Setting<?> s : declared) {
            c.get(s);
        }
        return c;
    }

    /** The parsed value, or the default; throws naming the key if required and absent or invalid. */
    public <T> T get(Setting<T> s) {
        String v = raw.get(s.key());
        if (v == null) {
            if (s.required()) {
                throw new ConfigException(s.key(), "is required (" + s.description() + ")");
            }
            return s.defaultValue();
        }
        return s.parse(v);
    }

    /** The parsed value if the setting was given, else {@code fallback} (a default that depends on more than the key). */
    public <T> T getOr(Setting<T> s, T fallback) {
        return raw.containsKey(s.key()) ? s.parse(raw.get(s.key())) : fallback;
    }

    /** A copy with one more value, validated. */
    public Config with(Setting<?> s, String value) {
        Map<String, String> m = new LinkedHashMap<>(raw);
        m.put(s.key(), value);
        s.parse(value);
        return new Config(m);
    }

    /** @return the settings under {@code prefix}, keyed less the prefix, in key order */
    public Map<String, String> under(String prefix) {
        Map<String, String> m = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k.substring(prefix.length()), v);
            }
        });
        return m;
    }

    public Map<String, String> asMap() {
        return raw;
    }

    @Override
    public String toString() {
        return new TreeMap<>(raw).toString();
    }
}
