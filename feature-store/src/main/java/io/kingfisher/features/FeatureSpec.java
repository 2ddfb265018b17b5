package io.kingfisher.features;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ordered list of feature definitions and the allowed lateness of events: the contract between the feature
 * operator, the model and the training set. Validated when built (unique names and columns, positive windows,
 * derived features that refer to existing columns without a cycle), so an invalid spec fails when the job is
 * built, naming the feature. Its {@link #hash()} travels with every score and every model snapshot so a model
 * never scores vectors of another layout or semantics.
 *
 * <p>State layout: each feature's {@link FeatureDef#stateSlots()} in order, then one slot holding the entity's
 * latest accepted event time, against which lateness is measured.
 */
public final class FeatureSpec implements java.io.Serializable {
    private static final long serialVersionUID = 2L;
    private static final String HASH_PREFIX = "kingfisher-features-v1\n";

    /**
     * Allowed lateness when none is set. Part of the v1 hash contract: a spec with this lateness hashes as it did
     * before lateness was configurable, so it must not change while the hash prefix stays {@code v1}.
     */
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofHours(1);

    private final List<FeatureDef> features;
    private final long allowedLatenessMs;
    private final List<String> outputNames;
    private final List<String> numericInputs;
    private final List<String> textInputs;
    private final int[] derivedOrder;
    private final int stateSize;
    private final String hash;

    private FeatureSpec(List<FeatureDef> features, Duration allowedLateness) {
        if (features.isEmpty()) {
            throw new FeatureSpecException("<spec>", "a feature spec needs at least one feature");
        }
        if (allowedLateness == null || allowedLateness.isNegative()) {
            throw new FeatureSpecException("<spec>", "allowed lateness must be zero or positive, was " + allowedLateness);
        }
        this.features = List.copyOf(features);
        this.allowedLatenessMs = allowedLateness.toMillis();
        Set<String> seen = new HashSet<>();
        Map<String, Integer> columnOwner = new HashMap<>();
        List<String> outs = new ArrayList<>();
        Set<String> nums = new LinkedHashSet<>();
        Set<String> texts = new LinkedHashSet<>();
        int slots = 0;
        StringBuilder canonical = new StringBuilder(HASH_PREFIX);
        for (int i = 0; i < this.features.size(); i++) {
            FeatureDef f = this.features.get(i);
            if (!seen.add(f.name())) {
                throw new FeatureSpecException(f.name(), "defined twice");
            }
            for (String col : f.outputs()) {
                Integer other = columnOwner.putIfAbsent(col, i);
                if (other != null) {
                    throw new FeatureSpecException(f.name(), "column '" + col + "' is also a column of '" + this.features.get(other).name() + "'");
                }
            }
            outs.addAll(f.outputs());
            nums.addAll(f.numericFields());
            texts.addAll(f.textFields());
            slots += f.stateSlots();
            canonical.append(f.canonical()).append('\n');
        }
        if (allowedLatenessMs != DEFAULT_ALLOWED_LATENESS.toMillis()) {
            canonical.append("allowed_lateness(").append(allowedLatenessMs).append(")\n");
        }
        this.outputNames = List.copyOf(outs);
        this.numericInputs = List.copyOf(nums);
        this.textInputs = List.copyOf(texts);
        this.derivedOrder = derivedOrder(this.features, columnOwner);
        this.stateSize = slots + 1; // + the entity's latest event time
        this.hash = sha256(canonical.toString());
    }

    public static FeatureSpec of(List<FeatureDef> features) {
        return new FeatureSpec(features, DEFAULT_ALLOWED_LATENESS);
    }

    public static FeatureSpec of(FeatureDef... features) {
        return new FeatureSpec(List.of(features), DEFAULT_ALLOWED_LATENESS);
    }

    /**
     * The same definitions with another allowed lateness: how far behind the entity's latest accepted event an
     * event may be and still be folded in (into its own time bucket). Later events are rejected with
     * {@link LateEventException}. Part of the hash.
     */
    public FeatureSpec withAllowedLateness(Duration allowedLateness) {
        return new FeatureSpec(features, allowedLateness);
    }

    public List<FeatureDef> features() {
        return features;
    }

    public Duration allowedLateness() {
        return Duration.ofMillis(allowedLatenessMs);
    }

    long allowedLatenessMs() {
        return allowedLatenessMs;
    }

    /** Width of the feature vector. */
    public int width() {
        return outputNames.size();
    }

    /** Column names of the feature vector, in order. */
    public List<String> outputNames() {
        return outputNames;
    }

    /** Position of a column in the vector, or -1. */
    public int columnIndex(String column) {
        return outputNames.indexOf(column);
    }

    /** Numeric event fields the spec reads, in the order of {@code InputEvent.numbers}. */
    public List<String> numericInputs() {
        return numericInputs;
    }

    /** Text event fields the spec reads, in the order of {@code InputEvent.texts}. */
    public List<String> textInputs() {
        return textInputs;
    }

    /** Doubles of per-entity state, the latest-event-time slot included. */
    public int stateSize() {
        return stateSize;
    }

    /** Indexes of the derived features in an order where each comes after the derived features it reads. */
    int[] derivedOrder() {
        return derivedOrder.clone();
    }

    /** Hex SHA-256 of the canonical definitions (and of the allowed lateness where it is not the default). */
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

    /** Checks the references of derived features and orders them so each is computed after its inputs. */
    private static int[] derivedOrder(List<FeatureDef> features, Map<String, Integer> columnOwner) {
        List<Integer> order = new ArrayList<>();
        int[] mark = new int[features.size()]; // 0 unvisited, 1 on the current path, 2 done
        for (int i = 0; i < features.size(); i++) {
            FeatureDef f = features.get(i);
            for (String ref : f.references()) {
                if (!columnOwner.containsKey(ref)) {
                    throw new FeatureSpecException(f.name(), "refers to unknown column '" + ref + "'");
                }
            }
        }
        for (int i = 0; i < features.size(); i++) {
            if (!features.get(i).references().isEmpty()) {
                visit(i, features, columnOwner, mark, new ArrayList<>(), order);
            }
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void visit(int i, List<FeatureDef> features, Map<String, Integer> columnOwner, int[] mark,
                              List<String> path, List<Integer> order) {
        FeatureDef f = features.get(i);
        if (mark[i] == 2) {
            return;
        }
        if (mark[i] == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(f.name()), path.size()));
            cycle.add(f.name());
            throw new FeatureSpecException(f.name(), "derived features form a cycle: " + String.join(" -> ", cycle));
        }
        mark[i] = 1;
        path.add(f.name());
        for (String ref : f.references()) {
            int owner = columnOwner.get(ref);
            if (!features.get(owner).references().isEmpty()) {
                visit(owner, features, columnOwner, mark, path, order);
            }
        }
        path.remove(path.size() - 1);
        mark[i] = 2;
        order.add(i);
    }
}
