package io.kingfisher.streams.features;

/** A setting of the feature lookup that is missing or wrong; the message starts with its key. */
public class LookupConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     the setting's key
     * @param problem what is wrong with it
     */
    public LookupConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    /** @return the key of the setting */
    public String key() {
        return key;
    }
}
