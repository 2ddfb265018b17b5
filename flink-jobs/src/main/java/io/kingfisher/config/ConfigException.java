package io.kingfisher.config;

/** A bad setting; the message starts with the offending key. Raised at start-up, never mid-stream. */
public final class ConfigException extends IllegalArgumentException {
    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
