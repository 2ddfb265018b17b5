package io.kingfisher.features;

/** An invalid feature definition; the message names the feature. Thrown when a spec is built, never per event. */
public final class FeatureSpecException extends IllegalArgumentException {
    private final String feature;

    public FeatureSpecException(String feature, String problem) {
        super("feature '" + feature + "': " + problem);
        this.feature = feature;
    }

    /** The offending feature's name. */
    public String feature() {
        return feature;
    }
}
