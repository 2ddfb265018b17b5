package io.kingfisher.features;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered list of feature definitions: the contract between the feature operator, the model and the
 * training set. Validated when built (unique names, positive windows); its {@link #hash()} travels with every
 * score and every model snapshot so a model never scores vectors of another layout.
 */
public final class FeatureSpec implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final String HASH_PREFIX = "kingfisher-features-v1\n";

    private final List<FeatureDef> features;
    private final List<String> outputNames;
    private final List<String> numericInputs;
    private final List<String> textInputs;
    private final int stateSize;
    private final String hash;

    private FeatureSpec(List<FeatureDef> features) {
        if (features.isEmpty()) {
            throw new FeatureSpecException("<spec>", "a feature spec needs at least one feature");
        }
        this.features = List.copyOf(features);
        Set<String> seen = new HashSet<>();
        List<String> outs = new ArrayList<>();
        Set<String> nums = new LinkedHashSet<>();
        Set<String> texts = new LinkedHashSet<>();
        int slots = 0;
        StringBuilder canonical = new StringBuilder(HASH_PREFIX);
        for (FeatureDef f : this.features) {
            if (!seen.add(f.name())) {
                throw new FeatureSpecException(f.name(), "defined twice");
            }
            outs.addAll(f.outputs());
            nums.addAll(f.numericFields());
            texts.addAll(f.textFields());
            slots += f.stateSlots();
            canonical.append(f.canonical()).append('\n');
        }
        this.outputNames = List.copyOf(outs);
        this.numericInputs = List.copyOf(nums);
        this.textInputs = List.copyOf(texts);
        this.stateSize = slots;
        this.hash = sha256(canonical.toString());
    }

    public static FeatureSpec of(List<FeatureDef> features) {
        return new FeatureSpec(features);
    }

    public static FeatureSpec of(FeatureDef... features) {
        return new FeatureSpec(List.of(features));
    }

    public List<FeatureDef> features() {
        return features;
    }

    /** Width of the feature vector. */
    public int width() {
        return outputNames.size();
    }

    /** Column names of the feature vector, in order. */
    public List<String> outputNames() {
        return outputNames;
    }

    /** Numeric event fields the spec reads, in the order of {@code InputEvent.numbers}. */
    public List<String> numericInputs() {
        return numericInputs;
    }

    /** Text event fields the spec reads, in the order of {@code InputEvent.texts}. */
    public List<String> textInputs() {
        return textInputs;
    }

    /** Doubles of per-entity state. */
    public int stateSize() {
        return stateSize;
    }

    /** Hex SHA-256 of the canonical definitions. */
    public String hash() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSpec other && other.hash.equals(hash);
    }

    @Override
    public int hashCode() {
        return hash.hashCode();
    }

    @Override
    public String toString() {
        return "FeatureSpec" + outputNames + "#" + hash.substring(0, 12);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
