package io.kingfisher.config;

import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raw settings (key → text) checked against a declared set of {@link Setting}s: an unknown key, a missing
 * required one or a bad value fails in {@link #of} with the key named, so a job never starts half-configured.
 */
public final class Config implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<String, String> raw;

    private Config(Map<String, String> raw) {
        this.raw = Map.copyOf(raw);
    }

    /** Validates every key and value now. */
    public static Config of(Map<String, String> raw, Collection<Setting<?>> declared) {
        Map<String, Setting<?>> byKey = new HashMap<>();
        for (Setting<?> s : declared) {
            byKey.put(s.key(), s);
        }
        for (String key : new TreeMap<>(raw).keySet()) {
            if (!byKey.containsKey(key)) {
                throw new ConfigException(key, "unknown setting; known settings: " + new TreeMap<>(byKey).keySet());
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

    public Map<String, String> asMap() {
        return raw;
    }

    @Override
    public String toString() {
        return new TreeMap<>(raw).toString();
    }
}
