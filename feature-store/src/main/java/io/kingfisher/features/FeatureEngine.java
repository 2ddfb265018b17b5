package io.kingfisher.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes a {@link FeatureSpec}'s vector for one event from the entity's state, then folds the event into
 * that state. The vector describes what was known just before the event (point-in-time correct, see
 * {@link FeatureDef}); the state is a flat {@code double[]} of {@link FeatureSpec#stateSize()} slots so any state
 * backend stores it cheaply.
 *
 * <p>Time. Events may arrive out of order: one no more than the spec's allowed lateness behind the entity's
 * latest accepted event is folded in (windowed kinds into its own time bucket; decayed kinds without moving
 * their clock back). A later one is rejected with {@link LateEventException} before anything changes, as is an
 * event with an infinite number ({@link InvalidInputException}): the state is untouched by rejected events.
 *
 * <p>Related entities. For a spec that looks up related entities ({@link RelatedEntity}), this engine is one stage of
 * several: {@link #computeStage} computes what the entity's own state gives, {@link #finish} the lookup columns once
 * the related stages have attached their vectors; {@link FeatureStages} strings them together.
 *
 * <p>Cost. Every kind costs O(1) per event except the windowed ones, which cost O(buckets) (a ring of partial
 * aggregates is advanced and merged, never a scan of events). Thread-safe: all mutable data lives in the state
 * array the caller passes.
 */
public final class FeatureEngine implements java.io.Serializable {
    private static final long serialVersionUID = 3L;
    private static final double LN2 = Math.log(2);
    private static final double MS_PER_DAY = 86_400_000.0;

    private final FeatureSpec spec;
    private final Step[] steps;
    private final Step[] finish;
    private final int latestSlot;
    private final long allowedLatenessMs;
    private final String[] numericNames;

    /**
     * The engine of a primary spec, or of a related entity's own spec ({@link FeatureSpec#relatedSpec(int)}), whose
     * windows are read as of the event's bucket (see {@link RelatedEntity}).
     */
    public FeatureEngine(FeatureSpec spec) {
        this.spec = spec;
        List<FeatureDef> defs = spec.features();
        boolean asOf = spec.entity() != null;
        Step[] byDef = new Step[defs.size()];
        int slot = 0;
        int col = 0;
        for (int i = 0; i < defs.size(); i++) {
            FeatureDef d = defs.get(i);
            int num = d.numericFields().isEmpty() ? -1 : spec.numericInputs().indexOf(d.numericFields().get(0));
            int text = d.textFields().isEmpty() ? -1 : spec.textInputs().indexOf(d.textFields().get(0));
            byDef[i] = step(spec, d, i, asOf, slot, col, num, text);
            slot += stateSlots(d, spec.ringBuckets(i));
            col += d.outputs().size();
        }
        // A primary spec's lookups wait for the related stages: they, and the derived features that read them, run in
        // finish(); everything else runs in the primary stage. A related entity's stage has its lookups at hand.
        boolean split = asOf ? false : spec.hasRelated();
        List<Step> stage = new ArrayList<>(defs.size());
        List<Step> late = new ArrayList<>();
        java.util.Set<String> lateColumns = new java.util.HashSet<>();
        for (int i = 0; i < defs.size(); i++) {
            FeatureDef d = defs.get(i);
            if (d instanceof FeatureDef.Lookup) {
                (split ? late : stage).add(byDef[i]);
                lateColumns.addAll(d.outputs());
            }
        }
        for (int i = 0; i < defs.size(); i++) {
            FeatureDef d = defs.get(i);
            if (d.references().isEmpty() && !(d instanceof FeatureDef.Lookup)) {
                stage.add(byDef[i]);
            }
        }
        for (int i : spec.derivedOrder()) {
            FeatureDef d = defs.get(i);
            if (split && d.references().stream().anyMatch(lateColumns::contains)) {
                late.add(byDef[i]);
                lateColumns.addAll(d.outputs());
            } else {
                stage.add(byDef[i]);
            }
        }
        this.steps = stage.toArray(Step[]::new);
        this.finish = late.toArray(Step[]::new);
        this.latestSlot = slot;
        this.allowedLatenessMs = spec.allowedLatenessMs();
        this.numericNames = spec.numericInputs().toArray(String[]::new);
    }

    /** State slots of {@code d} with a ring of {@code ring} buckets (its window's unless read as of the event). */
    private static int stateSlots(FeatureDef d, int ring) {
        if (d instanceof FeatureDef.Window w) {
            return 1 + ring * w.stride();
        }
        if (d instanceof FeatureDef.DistinctCount dc && dc.window() != null) {
            return 1 + ring * (dc.registers() / Hll.PER_WORD);
        }
        return d.stateSlots();
    }

    public FeatureSpec spec() {
        return spec;
    }

    /** A fresh state for an entity never seen before. */
    public double[] newState() {
        double[] s = new double[spec.stateSize()];
        Arrays.fill(s, Double.NaN);
        return s;
    }

    /**
     * A stored state in this spec's layout. States written before the latest-event-time slot existed (one slot
     * short) get it appended as unknown; anything else that does not fit is an error naming both sizes.
     */
    public double[] adopt(double[] stored) {
        if (stored.length == spec.stateSize()) {
            return stored;
        }
        if (stored.length == spec.stateSize() - 1) {
            double[] s = Arrays.copyOf(stored, spec.stateSize());
            s[latestSlot] = Double.NaN;
            return s;
        }
        throw new IllegalStateException("stored feature state has " + stored.length + " slots but " + spec + " needs "
                + spec.stateSize());
    }

    /**
     * Writes the event's features into {@code out} (length {@link FeatureSpec#width()}) as of just before the
     * event, then updates {@code state} with it. For a spec without related entities; one with them goes through
     * {@link FeatureStages} (or {@link OfflineFeatures}).
     *
     * @throws LateEventException    the event is further behind the entity's latest event than the allowed lateness
     * @throws InvalidInputException a numeric input is infinite
     * @throws IllegalStateException the spec looks up related entities
     */
    public void computeAndUpdate(double[] state, InputEvent e, float[] out) {
        if (finish.length > 0) {
            throw new IllegalStateException(spec + " looks up related entities: its vectors come from FeatureStages");
        }
        computeStage(state, e, null, out);
    }

    /** Convenience: allocates the output vector. */
    public float[] computeAndUpdate(double[] state, InputEvent e) {
        float[] out = new float[spec.width()];
        computeAndUpdate(state, e, out);
        return out;
    }

    /**
     * This entity's stage: writes the columns it can compute now into {@code out} as of just before the event, then
     * updates {@code state}. For a primary spec that is every column but the lookups and what derives from them
     * ({@link #finish}); for a related entity's spec, every column, its lookups read from {@code related} (the
     * vectors of the entities staged before it).
     *
     * @throws LateEventException    the event is further behind the entity's latest event than the allowed lateness
     * @throws InvalidInputException a numeric input is infinite
     */
    public void computeStage(double[] state, InputEvent e, float[] related, float[] out) {
        long t = e.eventTime;
        double latest = state[latestSlot];
        if (!Double.isNaN(latest) && latest - t > allowedLatenessMs) {
            throw new LateEventException(e.entity, t, (long) latest, allowedLatenessMs);
        }
        double[] numbers = e.numbers;
        for (int i = 0; i < numericNames.length; i++) {
            if (Double.isInfinite(numbers[i])) {
                throw new InvalidInputException(numericNames[i], "non-finite value " + numbers[i]);
            }
        }
        for (Step s : steps) {
            s.apply(state, e, t, related, out);
        }
        state[latestSlot] = Double.isNaN(latest) ? t : Math.max(latest, t);
    }

    /**
     * A related entity's columns as of time {@code t} (the complete buckets before {@code t}'s, like an event's
     * read) into {@code out}, changing nothing: how an event reads an entity's label features, which only labels
     * fold into. No lateness applies: a read at a time the ring has moved past reads what the ring still holds.
     *
     * @throws IllegalStateException for a primary spec, whose reads are not as of a time
     */
    public void read(double[] state, long t, float[] related, float[] out) {
        if (spec.entity() == null) {
            throw new IllegalStateException(spec + " is a primary spec: only a related entity's features read as of a time");
        }
        for (Step s : steps) {
            s.apply(state, null, t, related, out);
        }
    }

    /**
     * A primary spec's last step: its lookup columns from {@code related} (every related entity's vector, at
     * {@link FeatureSpec#relatedOffset}) and the derived columns that read them, into {@code out}. Nothing for a spec
     * without related entities.
     */
    public void finish(float[] related, float[] out) {
        for (Step s : finish) {
            s.apply(null, null, 0L, related, out);
        }
    }

    private static double decay(double halfLifeMs, double dtMs) {
        return Math.exp(-LN2 * dtMs / halfLifeMs);
    }

    private static Step step(FeatureSpec spec, FeatureDef d, int def, boolean asOf, int slot, int col, int num, int text) {
        if (d instanceof FeatureDef.Numeric n) {
            return new NumericStep(n, slot, col, num);
        } else if (d instanceof FeatureDef.OneHot oh) {
            return new OneHotStep(oh, slot, col, text);
        } else if (d instanceof FeatureDef.HourOfDay) {
            return new HourStep(slot, col);
        } else if (d instanceof FeatureDef.DecayedCount dc) {
            return new DecayedCountStep(dc, slot, col);
        } else if (d instanceof FeatureDef.EwmaRatio er) {
            return new EwmaStep(er.halfLife().toMillis(), null, slot, col, num);
        } else if (d instanceof FeatureDef.Ewma ew) {
            return new EwmaStep(ew.halfLife().toMillis(), ew.transform(), slot, col, num);
        } else if (d instanceof FeatureDef.TimeSinceLast tsl) {
            return new TimeSinceLastStep(tsl, slot, col);
        } else if (d instanceof FeatureDef.DiffersFromFirst) {
            return new DiffersFromFirstStep(slot, col, text);
        } else if (d instanceof FeatureDef.Window w) {
            return new WindowStep(w, spec.ringBuckets(def), asOf, slot, col, num);
        } else if (d instanceof FeatureDef.DistinctCount dc) {
            return dc.window() == null ? new LifetimeDistinctStep(dc, slot, col, text)
                    : new WindowDistinctStep(dc, spec.ringBuckets(def), asOf, slot, col, text);
        } else if (d instanceof FeatureDef.LastN ln) {
            return new LastNStep(ln, slot, col, num);
        } else if (d instanceof FeatureDef.Ratio r) {
            return new DerivedStep(true, spec.columnIndex(r.numerator()), spec.columnIndex(r.denominator()), slot, col);
        } else if (d instanceof FeatureDef.Difference df) {
            return new DerivedStep(false, spec.columnIndex(df.left()), spec.columnIndex(df.right()), slot, col);
        } else if (d instanceof FeatureDef.Lookup) {
            return new LookupStep(spec.lookupSource(def), slot, col);
        }
        throw new IllegalStateException("no engine step for " + d);
    }

    /** One definition bound to its first state slot, first output column and input index. */
    private abstract static class Step implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final int slot;
        final int col;

        Step(int slot, int col) {
            this.slot = slot;
            this.col = col;
        }

        abstract void apply(double[] st, InputEvent e, long t, float[] related, float[] out);
    }

    private static final class NumericStep extends Step {
        private static final long serialVersionUID = 1L;
        final FeatureDef.Numeric def;
        final int num;

        NumericStep(FeatureDef.Numeric def, int slot, int col, int num) {
            super(slot, col);
            this.def = def;
            this.num = num;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            double v = e.numbers[num];
            boolean missing = Double.isNaN(v);
            out[col] = (float) (missing ? def.impute() : def.transform().apply(v));
            if (def.missingIndicator()) {
                out[col + 1] = missing ? 1f : 0f;
            }
        }
    }

    private static final class OneHotStep extends Step {
        private static final long serialVersionUID = 1L;
        final Map<String, Integer> categoryIndex = new HashMap<>();
        final int categories;
        final int text;

        OneHotStep(FeatureDef.OneHot def, int slot, int col, int text) {
            super(slot, col);
            for (int i = 0; i < def.categories().size(); i++) {
                categoryIndex.put(def.categories().get(i), i);
            }
            this.categories = def.categories().size();
            this.text = text;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            String v = e.texts[text];
            Integer i = v == null ? null : categoryIndex.get(v);
            int hot = i == null ? categories : i;
            for (int k = 0; k <= categories; k++) {
                out[col + k] = k == hot ? 1f : 0f;
            }
        }
    }

    private static final class HourStep extends Step {
        private static final long serialVersionUID = 1L;

        HourStep(int slot, int col) {
            super(slot, col);
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            double hours = Math.floorMod(t, (long) MS_PER_DAY) / 3_600_000.0;
            double angle = 2 * Math.PI * hours / 24.0;
            out[col] = (float) Math.sin(angle);
            out[col + 1] = (float) Math.cos(angle);
        }
    }

    private static final class DecayedCountStep extends Step {
        private static final long serialVersionUID = 1L;
        final double halfLifeMs;

        DecayedCountStep(FeatureDef.DecayedCount def, int slot, int col) {
            super(slot, col);
            this.halfLifeMs = def.halfLife().toMillis();
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            double c = st[slot];
            double last = st[slot + 1];
            if (Double.isNaN(c)) {
                out[col] = 0f;
                st[slot] = 1.0;
                st[slot + 1] = t;
            } else if (t >= last) {
                double now = c * decay(halfLifeMs, t - last);
                out[col] = (float) Math.log1p(now);
                st[slot] = now + 1.0;
                st[slot + 1] = t;
            } else { // out of order: seen from the latest time, the older event weighs less
                out[col] = (float) Math.log1p(c);
                st[slot] = c + decay(halfLifeMs, last - t);
            }
        }
    }

    /** EWMA of earlier values: as a ratio {@code log((v+1)/(ewma+1))} when {@code transform} is null, else the transformed EWMA. */
    private static final class EwmaStep extends Step {
        private static final long serialVersionUID = 1L;
        final double halfLifeMs;
        final FeatureDef.Transform transform;
        final int num;

        EwmaStep(long halfLifeMs, FeatureDef.Transform transform, int slot, int col, int num) {
            super(slot, col);
            this.halfLifeMs = halfLifeMs;
            this.transform = transform;
            this.num = num;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            double v = e.numbers[num];
            double sum = st[slot];
            double w = st[slot + 1];
            double last = st[slot + 2];
            if (Double.isNaN(sum)) {
                out[col] = 0f;
                if (!Double.isNaN(v)) {
                    st[slot] = v;
                    st[slot + 1] = 1.0;
                    st[slot + 2] = t;
                }
            } else {
                double d = t >= last ? decay(halfLifeMs, t - last) : 1.0;
                double mean = sum / w;
                if (transform == null) {
                    out[col] = Double.isNaN(v) ? 0f : (float) Math.log((Math.max(v, 0) + 1.0) / (Math.max(mean, 0) + 1.0));
                } else {
                    out[col] = (float) transform.apply(mean);
                }
                if (!Double.isNaN(v)) {
                    double wNew = t >= last ? 1.0 : decay(halfLifeMs, last - t);
                    st[slot] = sum * d + v * wNew;
                    st[slot + 1] = w * d + wNew;
                    st[slot + 2] = Math.max(last, t);
                }
            }
        }
    }

    private static final class TimeSinceLastStep extends Step {
        private static final long serialVersionUID = 1L;
        final double capSeconds;

        TimeSinceLastStep(FeatureDef.TimeSinceLast def, int slot, int col) {
            super(slot, col);
            this.capSeconds = def.cap().toMillis() / 1000.0;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            double prev = st[slot];
            double seconds = Double.isNaN(prev) ? capSeconds : Math.min(capSeconds, Math.max(0, t - prev) / 1000.0);
            out[col] = (float) Math.log1p(seconds);
            st[slot] = Double.isNaN(prev) ? t : Math.max(prev, t);
        }
    }

    private static final class DiffersFromFirstStep extends Step {
        private static final long serialVersionUID = 1L;
        final int text;

        DiffersFromFirstStep(int slot, int col, int text) {
            super(slot, col);
            this.text = text;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            String v = e.texts[text];
            double h = v == null ? 0 : v.hashCode();
            if (Double.isNaN(st[slot])) {
                out[col] = 0f;
                st[slot] = h;
            } else {
                out[col] = st[slot] == h ? 0f : 1f;
            }
        }
    }

    /**
     * A ring of {@code ring} time buckets of {@code width} ms after a slot holding the newest bucket's index (NaN
     * before the first update). Bucket {@code b} lives at ring position {@code b mod ring}; the ring holds buckets
     * {@code head - ring + 1 .. head}. An event in bucket {@code k} reads the window's {@code buckets} buckets ending
     * with its own ({@code k - buckets + 1 .. k}), or, read as of the event ({@code asOf}, a related entity's
     * feature), the {@code buckets} complete ones before its own ({@code k - buckets .. k - 1}); in either case only
     * those the ring still holds.
     */
    private abstract static class RingStep extends Step {
        private static final long serialVersionUID = 2L;
        final long width;
        final int buckets;
        final int ring;
        final int shift;
        final int stride;

        RingStep(int slot, int col, long width, int buckets, int ring, boolean asOf, int stride) {
            super(slot, col);
            this.width = width;
            this.buckets = buckets;
            this.ring = ring;
            this.shift = asOf ? 1 : 0;
            this.stride = stride;
        }

        /** First state slot of bucket {@code b}. */
        final int base(long b) {
            return slot + 1 + (int) Math.floorMod(b, (long) ring) * stride;
        }

        /** Lowest bucket the event at bucket {@code k} reads, given the head; {@link #last} is the highest. */
        final long first(long k, long head) {
            return Math.max(k - buckets + 1 - shift, head - ring + 1);
        }

        final long last(long k, long head) {
            return Math.min(k - shift, head);
        }

        /**
         * Makes bucket {@code k} current: starts the ring on the first update, clears the buckets a newer event
         * moves past. Returns false when {@code k} is older than every bucket the ring holds.
         */
        final boolean advanceTo(double[] st, long k) {
            double headD = st[slot];
            if (Double.isNaN(headD)) {
                for (int i = 0; i < ring; i++) {
                    clear(st, slot + 1 + i * stride);
                }
                st[slot] = k;
                return true;
            }
            long head = (long) headD;
            if (k > head) {
                for (long b = Math.max(head + 1, k - ring + 1); b <= k; b++) {
                    clear(st, base(b));
                }
                st[slot] = k;
                return true;
            }
            return k > head - ring;
        }

        /** Empties the bucket whose first slot is {@code base}. */
        void clear(double[] st, int base) {
            Arrays.fill(st, base, base + stride, 0.0);
        }
    }

    private static final class WindowStep extends RingStep {
        private static final long serialVersionUID = 1L;
        final FeatureDef.Agg[] aggs;
        final FeatureDef.Transform transform;
        final int num;
        final boolean std;
        final int sumOff;
        final int minOff;
        final int maxOff;

        WindowStep(FeatureDef.Window def, int ring, boolean asOf, int slot, int col, int num) {
            super(slot, col, def.bucket().toMillis(), def.buckets(), ring, asOf, def.stride());
            this.aggs = def.aggs().toArray(FeatureDef.Agg[]::new);
            this.transform = def.transform();
            this.num = num;
            this.std = def.needs(FeatureDef.Agg.STD);
            int off = 1;
            if (std) {
                sumOff = 1; // the bucket's mean, its M2 at 2
                off = 3;
            } else if (def.needs(FeatureDef.Agg.SUM) || def.needs(FeatureDef.Agg.MEAN)) {
                sumOff = off++;
            } else {
                sumOff = -1;
            }
            minOff = def.needs(FeatureDef.Agg.MIN) ? off++ : -1;
            maxOff = def.needs(FeatureDef.Agg.MAX) ? off : -1;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            double x = e == null ? Double.NaN : num < 0 ? 0.0 : e.numbers[num]; // no event: a read (see FeatureEngine#read)
            long k = Math.floorDiv(t, width);
            double n = 0;
            double sum = 0;
            double mean = 0;
            double m2 = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double headD = st[slot];
            if (!Double.isNaN(headD)) {
                long head = (long) headD;
                for (long b = first(k, head), hi = last(k, head); b <= hi; b++) {
                    int base = base(b);
                    double c = st[base];
                    if (c == 0) {
                        continue;
                    }
                    double total = n + c;
                    if (std) { // Chan et al.: merge (n, mean, m2) with the bucket's
                        double d = st[base + 1] - mean;
                        mean += d * c / total;
                        m2 += st[base + 2] + d * d * n * c / total;
                    } else if (sumOff > 0) {
                        sum += st[base + sumOff];
                    }
                    if (minOff > 0) {
                        min = Math.min(min, st[base + minOff]);
                    }
                    if (maxOff > 0) {
                        max = Math.max(max, st[base + maxOff]);
                    }
                    n = total;
                }
            }
            if (std) {
                sum = mean * n;
            } else if (n > 0) {
                mean = sum / n;
            }
            for (int i = 0; i < aggs.length; i++) {
                double v = n == 0 ? 0.0 : switch (aggs[i]) {
                    case COUNT -> n;
                    case SUM -> sum;
                    case MEAN -> mean;
                    case MIN -> min;
                    case MAX -> max;
                    case STD -> Math.sqrt(Math.max(0.0, m2 / n));
                };
                out[col + i] = (float) transform.apply(v);
            }
            if (Double.isNaN(x) || !advanceTo(st, k)) {
                return;
            }
            int base = base(k);
            double c = st[base];
            if (std) { // Welford
                double d = x - st[base + 1];
                st[base + 1] += d / (c + 1);
                st[base + 2] += d * (x - st[base + 1]);
            } else if (sumOff > 0) {
                st[base + sumOff] += x;
            }
            if (minOff > 0) {
                st[base + minOff] = c == 0 ? x : Math.min(st[base + minOff], x);
            }
            if (maxOff > 0) {
                st[base + maxOff] = c == 0 ? x : Math.max(st[base + maxOff], x);
            }
            st[base] = c + 1;
        }
    }

    private static final class LifetimeDistinctStep extends Step {
        private static final long serialVersionUID = 1L;
        final int words;
        final int text;

        LifetimeDistinctStep(FeatureDef.DistinctCount def, int slot, int col, int text) {
            super(slot, col);
            this.words = def.registers() / Hll.PER_WORD;
            this.text = text;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            out[col] = (float) Hll.estimate(st, slot, words);
            String v = e.texts[text];
            if (v != null) {
                Hll.add(st, slot, words, Hll.hash48(v));
            }
        }
    }

    /** A sketch per bucket; a read estimates the union of the buckets in the window. */
    private static final class WindowDistinctStep extends RingStep {
        private static final long serialVersionUID = 1L;
        final int text;

        WindowDistinctStep(FeatureDef.DistinctCount def, int ring, boolean asOf, int slot, int col, int text) {
            super(slot, col, def.bucket().toMillis(), def.buckets(), ring, asOf, def.registers() / Hll.PER_WORD);
            this.text = text;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            long k = Math.floorDiv(t, width);
            double headD = st[slot];
            if (Double.isNaN(headD)) {
                out[col] = 0f;
            } else {
                long head = (long) headD;
                long lo = first(k, head);
                long hi = last(k, head);
                int count = (int) Math.max(0, hi - lo + 1);
                int[] offs = new int[count];
                for (int i = 0; i < count; i++) {
                    offs[i] = base(lo + i);
                }
                out[col] = (float) Hll.unionEstimate(st, offs, count, stride);
            }
            String v = e == null ? null : e.texts[text];
            if (v != null && advanceTo(st, k)) {
                Hll.add(st, base(k), stride, Hll.hash48(v));
            }
        }

        @Override void clear(double[] st, int base) {
            Hll.clear(st, base, stride);
        }
    }

    private static final class LastNStep extends Step {
        private static final long serialVersionUID = 1L;
        final int n;
        final double impute;
        final FeatureDef.Transform transform;
        final int num;

        LastNStep(FeatureDef.LastN def, int slot, int col, int num) {
            super(slot, col);
            this.n = def.n();
            this.impute = def.impute();
            this.transform = def.transform();
            this.num = num;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            int times = slot + n;
            int j = 0;
            for (int i = 0; i < n && !Double.isNaN(st[times + i]); i++) {
                if (st[times + i] <= t) {
                    out[col + j++] = (float) transform.apply(st[slot + i]);
                }
            }
            for (; j < n; j++) {
                out[col + j] = (float) impute;
            }
            double x = e.numbers[num];
            if (Double.isNaN(x)) {
                return;
            }
            int pos = 0; // most recent first; a value at the same time as a kept one arrived later, so goes first
            while (pos < n && !Double.isNaN(st[times + pos]) && st[times + pos] > t) {
                pos++;
            }
            if (pos == n) {
                return; // older than every value kept
            }
            System.arraycopy(st, slot + pos, st, slot + pos + 1, n - pos - 1);
            System.arraycopy(st, times + pos, st, times + pos + 1, n - pos - 1);
            st[slot + pos] = x;
            st[times + pos] = t;
        }
    }

    /** A related entity's column, from the vectors attached by the related stages. */
    private static final class LookupStep extends Step {
        private static final long serialVersionUID = 1L;
        final int source;

        LookupStep(int source, int slot, int col) {
            super(slot, col);
            this.source = source;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            out[col] = related[source];
        }
    }

    private static final class DerivedStep extends Step {
        private static final long serialVersionUID = 1L;
        final boolean ratio;
        final int a;
        final int b;

        DerivedStep(boolean ratio, int a, int b, int slot, int col) {
            super(slot, col);
            this.ratio = ratio;
            this.a = a;
            this.b = b;
        }

        @Override void apply(double[] st, InputEvent e, long t, float[] related, float[] out) {
            double x = out[a];
            double y = out[b];
            if (ratio) {
                double r = x / y;
                out[col] = y == 0 || !Double.isFinite(r) ? 0f : (float) r;
            } else {
                out[col] = (float) (x - y);
            }
        }
    }
}
