package io.kingfisher.features;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ordered list of feature definitions, the related entities they look up, and the allowed lateness of events:
 * the contract between the feature operators, the model and the training set. Validated when built (unique names
 * and columns, positive windows, derived features that refer to existing columns without a cycle, lookups of
 * declared entities and columns without a cycle between entities), so an invalid spec fails when the job is built,
 * naming the feature. Its {@link #hash()} travels with every score and every model snapshot so a model never scores
 * vectors of another layout or semantics.
 *
 * <p>State layout: each feature's {@link FeatureDef#stateSlots()} in order, then one slot holding the entity's
 * latest accepted event time, against which lateness is measured. A related entity ({@link RelatedEntity}) has a
 * spec of its own ({@link #relatedSpec(int)}), whose windows keep the extra buckets of an as-of read.
 *
 * <p>Input layout: {@link #numericInputs()} and {@link #textInputs()} list the event fields every stage reads (the
 * primary features' first, then each related entity's fields and key field); a related entity's spec shares the
 * primary's layout, since its stage reads the same event.
 */
public final class FeatureSpec implements java.io.Serializable {
    private static final long serialVersionUID = 3L;
    private static final String HASH_PREFIX = "kingfisher-features-v1\n";

    /**
     * Allowed lateness when none is set. Part of the v1 hash contract: a spec with this lateness hashes as it did
     * before lateness was configurable, so it must not change while the hash prefix stays {@code v1}.
     */
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofHours(1);

    private final List<FeatureDef> features;
    private final long allowedLatenessMs;
    /** The related entities as declared (primary spec), empty for a related entity's own spec. */
    private final List<RelatedEntity> declared;
    /** Null for the primary spec, else the related entity's name. */
    private final String entity;
    private final List<RelatedEntity> related;
    private final List<FeatureSpec> relatedSpecs;
    /** Per related entity, the spec of its label features, or null when it has none. */
    private final List<FeatureSpec> relatedLabelSpecs;
    /** Per related entity, the index of its label key field in {@link #labelTextInputs}, or -1. */
    private final int[] relatedLabelKeyInputs;
    private final List<String> labelTextInputs;
    private final int[] relatedOffsets;
    private final int[] relatedKeyInputs;
    private final int[] lookupSources;
    private final int[] ringBuckets;
    private final List<String> outputNames;
    private final List<String> numericInputs;
    private final List<String> textInputs;
    private final int[] derivedOrder;
    private final int stateSize;
    private final String hash;

    /**
     * A related entity's spec already built, the spec of its label features (or null), and where its vector (own
     * columns, then label columns) starts in the attached related vectors.
     */
    private record Target(FeatureSpec spec, FeatureSpec labels, int offset) {
        /** The column's index in the entity's vector, or -1. */
        int columnIndex(String column) {
            int c = spec.columnIndex(column);
            if (c >= 0 || labels == null) {
                return c;
            }
            int l = labels.columnIndex(column);
            return l < 0 ? -1 : spec.width() + l;
        }

        List<String> columns() {
            if (labels == null) {
                return spec.outputNames();
            }
            List<String> all = new ArrayList<>(spec.outputNames());
            all.addAll(labels.outputNames());
            return all;
        }
    }

    /** The primary spec. */
    private FeatureSpec(List<FeatureDef> features, List<RelatedEntity> related, Duration allowedLateness) {
        if (features.isEmpty()) {
            throw new FeatureSpecException("<spec>", "a feature spec needs at least one feature");
        }
        if (allowedLateness == null || allowedLateness.isNegative()) {
            throw new FeatureSpecException("<spec>", "allowed lateness must be zero or positive, was " + allowedLateness);
        }
        this.features = List.copyOf(features);
        this.allowedLatenessMs = allowedLateness.toMillis();
        this.declared = List.copyOf(related);
        this.entity = null;
        this.related = stageOrder(this.features, this.declared);
        // the primary's fields first, so a spec without related entities reads events exactly as before
        Set<String> nums = new LinkedHashSet<>();
        Set<String> texts = new LinkedHashSet<>();
        addInputs(this.features, nums, texts);
        for (RelatedEntity r : this.related) {
            addInputs(r.features(), nums, texts);
            texts.add(r.keyField());
        }
        this.numericInputs = List.copyOf(nums);
        this.textInputs = List.copyOf(texts);
        Set<String> labelKeys = new LinkedHashSet<>();
        for (RelatedEntity r : this.related) {
            if (r.hasLabelFeatures()) {
                labelKeys.add(r.labelKeyField());
            }
        }
        this.labelTextInputs = List.copyOf(labelKeys);
        Map<String, Target> built = new HashMap<>();
        List<FeatureSpec> specs = new ArrayList<>();
        List<FeatureSpec> labelSpecs = new ArrayList<>();
        this.relatedOffsets = new int[this.related.size() + 1];
        this.relatedKeyInputs = new int[this.related.size()];
        this.relatedLabelKeyInputs = new int[this.related.size()];
        StringBuilder relatedCanonical = new StringBuilder();
        for (int i = 0; i < this.related.size(); i++) {
            RelatedEntity r = this.related.get(i);
            FeatureSpec s = new FeatureSpec(r, false, allowedLatenessMs, numericInputs, textInputs, built);
            FeatureSpec l = r.hasLabelFeatures()
                    ? new FeatureSpec(r, true, allowedLatenessMs, List.of(RelatedEntity.LABEL_FIELD), labelTextInputs, Map.of())
                    : null;
            if (l != null) {
                for (String c : l.outputNames()) {
                    if (s.columnIndex(c) >= 0) {
                        throw new FeatureSpecException(c, "related entity '" + r.name() + "' has a column '" + c
                                + "' among its own features and among its label features");
                    }
                }
            }
            specs.add(s);
            labelSpecs.add(l);
            built.put(r.name(), new Target(s, l, relatedOffsets[i]));
            relatedOffsets[i + 1] = relatedOffsets[i] + s.width() + (l == null ? 0 : l.width());
            relatedKeyInputs[i] = textInputs.indexOf(r.keyField());
            relatedLabelKeyInputs[i] = l == null ? -1 : labelTextInputs.indexOf(r.labelKeyField());
            relatedCanonical.append("related(").append(r.name()).append(',').append(r.keyField()).append(")\n");
            for (FeatureDef d : r.features()) {
                relatedCanonical.append("  ").append(d.canonical()).append('\n');
            }
            if (l != null) {
                relatedCanonical.append(" labels(").append(r.labelKeyField()).append(")\n");
                for (FeatureDef d : r.labelFeatures()) {
                    relatedCanonical.append("  ").append(d.canonical()).append('\n');
                }
            }
        }
        this.relatedSpecs = List.copyOf(specs);
        this.relatedLabelSpecs = java.util.Collections.unmodifiableList(labelSpecs);
        Layout layout = layout(this.features, built, -1);
        this.outputNames = layout.outputNames;
        this.lookupSources = layout.lookupSources;
        this.ringBuckets = layout.ringBuckets;
        this.derivedOrder = layout.derivedOrder;
        this.stateSize = layout.slots + 1; // + the entity's latest event time
        StringBuilder canonical = new StringBuilder(HASH_PREFIX).append(layout.canonical);
        if (allowedLatenessMs != DEFAULT_ALLOWED_LATENESS.toMillis()) {
            canonical.append("allowed_lateness(").append(allowedLatenessMs).append(")\n");
        }
        this.hash = sha256(canonical.append(relatedCanonical).toString());
    }

    /**
     * A related entity's own spec (its features over the primary's input layout), or with {@code labels} the spec of
     * its label features (over the labels' layout), read as of the event's bucket.
     */
    private FeatureSpec(RelatedEntity r, boolean labels, long allowedLatenessMs, List<String> numericInputs,
                        List<String> textInputs, Map<String, Target> built) {
        List<FeatureDef> features = labels ? r.labelFeatures() : r.features();
        for (FeatureDef d : features) {
            boolean tiled = d instanceof FeatureDef.Window || d instanceof FeatureDef.DistinctCount dc && dc.window() != null;
            if (!tiled && !(d instanceof FeatureDef.Ratio) && !(d instanceof FeatureDef.Difference) && !(d instanceof FeatureDef.Lookup)) {
                throw new FeatureSpecException(d.name(), "a feature of related entity '" + r.name() + "' must be kept in time "
                        + "buckets (a window or a windowed distinct count), derived from such, or a lookup, so that it can be "
                        + "read as of an event's time; this is a " + d.getClass().getSimpleName());
            }
        }
        this.features = features;
        this.allowedLatenessMs = allowedLatenessMs;
        this.declared = List.of();
        this.entity = r.name();
        this.related = List.of();
        this.relatedSpecs = List.of();
        this.relatedLabelSpecs = List.of();
        this.relatedLabelKeyInputs = new int[0];
        this.labelTextInputs = List.of();
        this.relatedOffsets = new int[]{0};
        this.relatedKeyInputs = new int[0];
        this.numericInputs = numericInputs;
        this.textInputs = textInputs;
        Layout layout = layout(this.features, built, allowedLatenessMs);
        this.outputNames = layout.outputNames;
        this.lookupSources = layout.lookupSources;
        this.ringBuckets = layout.ringBuckets;
        this.derivedOrder = layout.derivedOrder;
        this.stateSize = layout.slots + 1;
        this.hash = sha256(HASH_PREFIX + (labels ? "labels(" + r.name() + "," + r.labelKeyField() : "related(" + r.name() + "," + r.keyField())
                + "," + allowedLatenessMs + ")\n" + layout.canonical);
    }

    /** What both kinds of spec derive from their definitions. */
    private record Layout(List<String> outputNames, int[] lookupSources, int[] ringBuckets, int[] derivedOrder, int slots,
                          String canonical) {
    }

    /**
     * Columns, state slots, lookup sources and derived order of {@code features}; {@code asOfLatenessMs} is -1 for
     * the primary spec, else the allowed lateness a related entity's rings must cover.
     */
    private static Layout layout(List<FeatureDef> features, Map<String, Target> targets, long asOfLatenessMs) {
        Set<String> seen = new HashSet<>();
        Map<String, Integer> columnOwner = new HashMap<>();
        List<String> outs = new ArrayList<>();
        int[] lookups = new int[features.size()];
        int[] rings = new int[features.size()];
        int slots = 0;
        StringBuilder canonical = new StringBuilder();
        for (int i = 0; i < features.size(); i++) {
            FeatureDef f = features.get(i);
            if (!seen.add(f.name())) {
                throw new FeatureSpecException(f.name(), "defined twice");
            }
            for (String col : f.outputs()) {
                Integer other = columnOwner.putIfAbsent(col, i);
                if (other != null) {
                    throw new FeatureSpecException(f.name(), "column '" + col + "' is also a column of '" + features.get(other).name() + "'");
                }
            }
            outs.addAll(f.outputs());
            lookups[i] = -1;
            if (f instanceof FeatureDef.Lookup l) {
                Target t = targets.get(l.entity());
                int c = t.columnIndex(l.column());
                if (c < 0) {
                    throw new FeatureSpecException(l.name(), "related entity '" + l.entity() + "' has no column '" + l.column()
                            + "'; its columns are " + t.columns());
                }
                lookups[i] = t.offset + c;
            }
            int window = f instanceof FeatureDef.Window w ? w.buckets() : f instanceof FeatureDef.DistinctCount dc ? dc.buckets() : 0;
            rings[i] = window;
            int fSlots = f.stateSlots();
            if (window > 0 && asOfLatenessMs >= 0) {
                long bucketMs = f instanceof FeatureDef.Window w ? w.bucket().toMillis() : ((FeatureDef.DistinctCount) f).bucket().toMillis();
                long lateBuckets = -Math.floorDiv(-asOfLatenessMs, bucketMs); // ceiling
                long ring = window + 1 + lateBuckets;
                if (ring > FeatureDef.Window.MAX_BUCKETS) {
                    throw new FeatureSpecException(f.name(), "read as of an event's time it keeps " + ring + " buckets (the window's "
                            + window + ", the event's own and " + lateBuckets
                            + " for the allowed lateness), more than " + FeatureDef.Window.MAX_BUCKETS
                            + "; use wider buckets or a shorter allowed lateness");
                }
                rings[i] = (int) ring;
                int stride = (fSlots - 1) / window;
                fSlots = 1 + rings[i] * stride;
            }
            slots += fSlots;
            canonical.append(f.canonical()).append('\n');
        }
        return new Layout(List.copyOf(outs), lookups, rings, derivedOrder(features, columnOwner), slots, canonical.toString());
    }

    /**
     * The related entities in stage order: each after the entities its features look up. Fails naming the feature when
     * a lookup names an undeclared entity or closes a cycle, and names an entity declared twice or never looked up.
     */
    private static List<RelatedEntity> stageOrder(List<FeatureDef> primary, List<RelatedEntity> declared) {
        Map<String, RelatedEntity> byName = new LinkedHashMap<>();
        for (RelatedEntity r : declared) {
            if (byName.putIfAbsent(r.name(), r) != null) {
                throw new FeatureSpecException(r.name(), "related entity declared twice");
            }
        }
        requireDeclared(primary, byName);
        for (RelatedEntity r : declared) {
            requireDeclared(r.features(), byName);
        }
        List<RelatedEntity> order = new ArrayList<>();
        Map<String, Integer> mark = new HashMap<>(); // 1 on the current path, 2 done
        for (FeatureDef d : primary) {
            if (d instanceof FeatureDef.Lookup l) {
                visit(l, byName, mark, new ArrayList<>(), order);
            }
        }
        for (RelatedEntity r : declared) {
            if (!mark.containsKey(r.name())) {
                throw new FeatureSpecException(r.name(), "related entity '" + r.name() + "' is declared but no feature looks it up");
            }
        }
        return List.copyOf(order);
    }

    private static void requireDeclared(List<FeatureDef> features, Map<String, RelatedEntity> byName) {
        for (FeatureDef d : features) {
            if (d instanceof FeatureDef.Lookup l && !byName.containsKey(l.entity())) {
                throw new FeatureSpecException(l.name(), "looks up entity '" + l.entity() + "', which is not declared (related entities: "
                        + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet())) + ")");
            }
        }
    }

    private static void visit(FeatureDef.Lookup via, Map<String, RelatedEntity> byName, Map<String, Integer> mark, List<String> path,
                              List<RelatedEntity> order) {
        String e = via.entity();
        Integer m = mark.get(e);
        if (m != null && m == 2) {
            return;
        }
        if (m != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(e), path.size()));
            cycle.add(e);
            throw new FeatureSpecException(via.name(), "lookups between entities form a cycle: " + String.join(" -> ", cycle));
        }
        mark.put(e, 1);
        path.add(e);
        for (FeatureDef d : byName.get(e).features()) {
            if (d instanceof FeatureDef.Lookup l) {
                visit(l, byName, mark, path, order);
            }
        }
        path.remove(path.size() - 1);
        mark.put(e, 2);
        order.add(byName.get(e));
    }

    private static void addInputs(List<FeatureDef> features, Set<String> nums, Set<String> texts) {
        for (FeatureDef f : features) {
            nums.addAll(f.numericFields());
            texts.addAll(f.textFields());
        }
    }

    public static FeatureSpec of(List<FeatureDef> features) {
        return new FeatureSpec(features, List.of(), DEFAULT_ALLOWED_LATENESS);
    }

    public static FeatureSpec of(FeatureDef... features) {
        return new FeatureSpec(List.of(features), List.of(), DEFAULT_ALLOWED_LATENESS);
    }

    /** Primary features that may look up the {@code related} entities' columns ({@link FeatureDef.Lookup}). */
    public static FeatureSpec of(List<FeatureDef> features, List<RelatedEntity> related) {
        return new FeatureSpec(features, related, DEFAULT_ALLOWED_LATENESS);
    }

    /**
     * The same definitions with another allowed lateness: how far behind the entity's latest accepted event an
     * event may be and still be folded in (into its own time bucket). Later events are rejected with
     * {@link LateEventException}. Part of the hash.
     */
    public FeatureSpec withAllowedLateness(Duration allowedLateness) {
        if (entity != null) {
            throw new IllegalStateException("the lateness of related entity '" + entity + "' is its primary spec's");
        }
        return new FeatureSpec(features, declared, allowedLateness);
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

    /** A column that never settles against a reference of many days: see {@link #columnWarmUpMillis()}. */
    public static final long NEVER = Long.MAX_VALUE;

    /**
     * Per column of the vector, how much event time an online store that starts empty must see before the column's
     * values are distributed as they are in steady state, in ms. A count over a day is low for everyone during the
     * store's first day; a time since the last event sits at its cap for every entity's first event. So a
     * distribution check against data from a warm store (the warm start's) compares only the columns whose warm-up
     * the stream has covered. Stateless columns (a field as sent, a category) need none; a window its length plus a
     * bucket; an exponential decay four half-lives (94% of its steady level); a time since the last event its cap;
     * a ratio or difference the longer of its two columns; a lookup what the related entity's column needs.
     * {@link #NEVER} for the hour of day (a stretch of recent events shorter than a day holds only some hours) and
     * for columns that depend on all of an entity's history (its first value, its last n values).
     *
     * @return one entry per column, in vector order
     */
    public long[] columnWarmUpMillis() {
        long[] out = new long[width()];
        for (FeatureDef f : features) {
            long w = warmUp(f, out);
            for (String column : f.outputs()) {
                out[columnIndex(column)] = w;
            }
        }
        return out;
    }

    private long warmUp(FeatureDef f, long[] known) {
        if (f instanceof FeatureDef.HourOfDay || f instanceof FeatureDef.DiffersFromFirst || f instanceof FeatureDef.LastN) {
            return NEVER;
        } else if (f instanceof FeatureDef.DecayedCount d) {
            return 4 * d.halfLife().toMillis();
        } else if (f instanceof FeatureDef.EwmaRatio e) {
            return 4 * e.halfLife().toMillis();
        } else if (f instanceof FeatureDef.Ewma e) {
            return 4 * e.halfLife().toMillis();
        } else if (f instanceof FeatureDef.TimeSinceLast t) {
            return t.cap().toMillis();
        } else if (f instanceof FeatureDef.Window w) {
            return w.window().toMillis() + w.bucket().toMillis();
        } else if (f instanceof FeatureDef.DistinctCount d) {
            return d.window() == null ? NEVER : d.window().toMillis() + d.bucket().toMillis();
        } else if (f instanceof FeatureDef.Ratio r) {
            return Math.max(known[columnIndex(r.numerator())], known[columnIndex(r.denominator())]);
        } else if (f instanceof FeatureDef.Difference d) {
            return Math.max(known[columnIndex(d.left())], known[columnIndex(d.right())]);
        } else if (f instanceof FeatureDef.Lookup l) {
            return lookupWarmUp(l);
        }
        return 0; // a field as sent, a category: no state
    }

    private long lookupWarmUp(FeatureDef.Lookup l) {
        for (int i = 0; i < related.size(); i++) {
            if (!related.get(i).name().equals(l.entity())) {
                continue;
            }
            for (FeatureSpec spec : new FeatureSpec[] {relatedSpecs.get(i), relatedLabelSpecs.get(i)}) {
                int c = spec == null ? -1 : spec.columnIndex(l.column());
                if (c >= 0) {
                    return spec.columnWarmUpMillis()[c];
                }
            }
        }
        return NEVER;
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

    /** The related entities in stage order (each after those it looks up); empty when the spec has none. */
    public List<RelatedEntity> related() {
        return related;
    }

    /** Whether the vector reads other entities' features, i.e. needs the staged path ({@link FeatureStages}). */
    public boolean hasRelated() {
        return !related.isEmpty();
    }

    /** The own spec of the related entity at {@code stage} (of {@link #related()}): its columns, state and hash. */
    public FeatureSpec relatedSpec(int stage) {
        return relatedSpecs.get(stage);
    }

    /**
     * The spec of the label features of the related entity at {@code stage}, or null when it has none. Its columns
     * follow the entity's own ({@link #relatedSpec}) in the entity's attached vector; its input layout is
     * {@link RelatedEntity#LABEL_FIELD} and {@link #labelTextInputs()}.
     */
    public FeatureSpec relatedLabelSpec(int stage) {
        return relatedLabelSpecs.get(stage);
    }

    /** Whether any related entity has label features, i.e. the stages need the labels as a second input. */
    public boolean hasLabelFeatures() {
        return !labelTextInputs.isEmpty();
    }

    /**
     * Text fields of a label record the stages read, in the order of a label's {@code InputEvent.texts}: the label
     * key fields of the related entities with label features. A label's only number is its value
     * ({@link RelatedEntity#LABEL_FIELD}).
     */
    public List<String> labelTextInputs() {
        return labelTextInputs;
    }

    /** Index in a label's {@code InputEvent.texts} of the label key field of the related entity at {@code stage}, or -1. */
    int relatedLabelKeyInput(int stage) {
        return relatedLabelKeyInputs[stage];
    }

    /** Width of all related entities' vectors together, as attached to an event between the stages. */
    public int relatedWidth() {
        return relatedOffsets[relatedOffsets.length - 1];
    }

    /** Where the vector of the related entity at {@code stage} starts among the attached related vectors. */
    public int relatedOffset(int stage) {
        return relatedOffsets[stage];
    }

    /** Index in {@code InputEvent.texts} of the key field of the related entity at {@code stage}. */
    int relatedKeyInput(int stage) {
        return relatedKeyInputs[stage];
    }

    /** Null for a primary spec; the entity's name for a related entity's spec. */
    public String entity() {
        return entity;
    }

    /** Index into the attached related vectors that lookup {@code def} reads, or -1 when it is no lookup. */
    int lookupSource(int def) {
        return lookupSources[def];
    }

    /** Buckets the ring of windowed feature {@code def} keeps (more than its window in a related entity's spec), else 0. */
    int ringBuckets(int def) {
        return ringBuckets[def];
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
        return "FeatureSpec" + (entity == null ? "" : "(" + entity + ")") + outputNames
                + (related.isEmpty() ? "" : " related " + related.stream().map(RelatedEntity::name).toList()) + "#" + hash.substring(0, 12);
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
