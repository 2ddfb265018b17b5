package io.kingfisher.features;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes a {@link FeatureSpec}'s vector for one event from the entity's state, then folds the event into
 * that state. The vector describes what was known just before the event (point-in-time correct); the state
 * is a flat {@code double[]} of {@link FeatureSpec#stateSize()} slots so any state backend stores it cheaply.
 * Out-of-order events are folded in without moving decayed aggregates back in time. Thread-safe: all mutable
 * data lives in the state array the caller passes.
 */
public final class FeatureEngine implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final double LN2 = Math.log(2);
    private static final double MS_PER_DAY = 86_400_000.0;

    private final FeatureSpec spec;
    private final Step[] steps;

    public FeatureEngine(FeatureSpec spec) {
        this.spec = spec;
        List<FeatureDef> defs = spec.features();
        this.steps = new Step[defs.size()];
        int slot = 0;
        for (int i = 0; i < defs.size(); i++) {
            FeatureDef d = defs.get(i);
            int num = d.numericFields().isEmpty() ? -1 : spec.numericInputs().indexOf(d.numericFields().get(0));
            int text = d.textFields().isEmpty() ? -1 : spec.textInputs().indexOf(d.textFields().get(0));
            steps[i] = new Step(d, slot, num, text);
            slot += d.stateSlots();
        }
    }

    public FeatureSpec spec() {
        return spec;
    }

    /** A fresh state for an entity never seen before. */
    public double[] newState() {
        double[] s = new double[spec.stateSize()];
        java.util.Arrays.fill(s, Double.NaN);
        return s;
    }

    /**
     * Writes the event's features into {@code out} (length {@link FeatureSpec#width()}) as of just before the
     * event, then updates {@code state} with it.
     */
    public void computeAndUpdate(double[] state, InputEvent e, float[] out) {
        int col = 0;
        long t = e.eventTime;
        for (Step s : steps) {
            col = s.apply(state, e, t, out, col);
        }
    }

    /** Convenience: allocates the output vector. */
    public float[] computeAndUpdate(double[] state, InputEvent e) {
        float[] out = new float[spec.width()];
        computeAndUpdate(state, e, out);
        return out;
    }

    private static double decay(double halfLifeMs, double dtMs) {
        return Math.exp(-LN2 * dtMs / halfLifeMs);
    }

    /** One definition bound to its state slots and input indexes. */
    private static final class Step implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final FeatureDef def;
        final int slot;
        final int num;
        final int text;
        final Map<String, Integer> categoryIndex;
        final double halfLifeMs;
        final double capSeconds;

        Step(FeatureDef def, int slot, int num, int text) {
            this.def = def;
            this.slot = slot;
            this.num = num;
            this.text = text;
            Map<String, Integer> idx = new HashMap<>();
            if (def instanceof FeatureDef.OneHot oh) {
                for (int i = 0; i < oh.categories().size(); i++) {
                    idx.put(oh.categories().get(i), i);
                }
            }
            this.categoryIndex = idx;
            if (def instanceof FeatureDef.DecayedCount dc) {
                halfLifeMs = dc.halfLife().toMillis();
            } else if (def instanceof FeatureDef.EwmaRatio er) {
                halfLifeMs = er.halfLife().toMillis();
            } else {
                halfLifeMs = Double.NaN;
            }
            this.capSeconds = def instanceof FeatureDef.TimeSinceLast tsl ? tsl.cap().toMillis() / 1000.0 : Double.NaN;
        }

        int apply(double[] st, InputEvent e, long t, float[] out, int col) {
            if (def instanceof FeatureDef.Numeric n) {
                double v = e.numbers[num];
                boolean missing = Double.isNaN(v);
                out[col++] = (float) (missing ? n.impute() : n.transform().apply(v));
                if (n.missingIndicator()) {
                    out[col++] = missing ? 1f : 0f;
                }
            } else if (def instanceof FeatureDef.OneHot oh) {
                String v = e.texts[text];
                Integer i = v == null ? null : categoryIndex.get(v);
                int hot = i == null ? oh.categories().size() : i;
                for (int k = 0; k <= oh.categories().size(); k++) {
                    out[col + k] = k == hot ? 1f : 0f;
                }
                col += oh.categories().size() + 1;
            } else if (def instanceof FeatureDef.HourOfDay h) {
                double hours = Math.floorMod(t, (long) MS_PER_DAY) / 3_600_000.0;
                double angle = 2 * Math.PI * hours / 24.0;
                out[col++] = (float) Math.sin(angle);
                out[col++] = (float) Math.cos(angle);
            } else if (def instanceof FeatureDef.DecayedCount dc) {
                double c = st[slot];
                double last = st[slot + 1];
                if (Double.isNaN(c)) {
                    out[col++] = 0f;
                    st[slot] = 1.0;
                    st[slot + 1] = t;
                } else if (t >= last) {
                    double now = c * decay(halfLifeMs, t - last);
                    out[col++] = (float) Math.log1p(now);
                    st[slot] = now + 1.0;
                    st[slot + 1] = t;
                } else { // out of order: seen from the latest time, the older event weighs less
                    out[col++] = (float) Math.log1p(c);
                    st[slot] = c + decay(halfLifeMs, last - t);
                }
            } else if (def instanceof FeatureDef.EwmaRatio er) {
                double v = e.numbers[num];
                double sum = st[slot];
                double w = st[slot + 1];
                double last = st[slot + 2];
                if (Double.isNaN(sum)) {
                    out[col++] = 0f;
                    if (!Double.isNaN(v)) {
                        st[slot] = v;
                        st[slot + 1] = 1.0;
                        st[slot + 2] = t;
                    }
                } else {
                    double d = t >= last ? decay(halfLifeMs, t - last) : 1.0;
                    double mean = sum / w;
                    out[col++] = Double.isNaN(v) ? 0f : (float) Math.log((Math.max(v, 0) + 1.0) / (Math.max(mean, 0) + 1.0));
                    if (!Double.isNaN(v)) {
                        double wNew = t >= last ? 1.0 : decay(halfLifeMs, last - t);
                        st[slot] = sum * d + v * wNew;
                        st[slot + 1] = w * d + wNew;
                        st[slot + 2] = Math.max(last, t);
                    }
                }
            } else if (def instanceof FeatureDef.TimeSinceLast tsl) {
                double prev = st[slot];
                double seconds = Double.isNaN(prev) ? capSeconds : Math.min(capSeconds, Math.max(0, t - prev) / 1000.0);
                out[col++] = (float) Math.log1p(seconds);
                st[slot] = Double.isNaN(prev) ? t : Math.max(prev, t);
            } else if (def instanceof FeatureDef.DiffersFromFirst df) {
                String v = e.texts[text];
                double h = v == null ? 0 : v.hashCode();
                if (Double.isNaN(st[slot])) {
                    out[col++] = 0f;
                    st[slot] = h;
                } else {
                    out[col++] = st[slot] == h ? 0f : 1f;
                }
            }
            return col;
        }
    }
}
