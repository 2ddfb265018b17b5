package io.kingfisher.trainer.tuning;

import io.kingfisher.trainer.eval.PrequentialWindow;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Population-based training (exploit by truncation, explore by perturbation) of K models trained
 * side by side on the same stream, each with its own hyperparameters.
 *
 * <p>Every example is scored by each member before the member trains on it, and the score is
 * {@link #record recorded}; each member keeps a {@link PrequentialWindow} of its last
 * {@code windowSize} examples. Every {@code interval} examples ({@link #observe} counts them; or
 * call {@link #step()} yourself) the members are ranked by windowed log loss. Only <em>mature</em>
 * members take part: those that have seen at least {@code grace} examples since they were last
 * replaced (a fresh clone's window is too short to judge). The worst {@code dropFraction} of the
 * population (at least one, never the best, at most all mature members but one) are replaced: each
 * dropped member copies a member drawn from the same number of the best and perturbs its
 * hyperparameters. The caller applies a {@link Replacement} by copying the source model's weights
 * into the dropped slot and setting the new hyperparameters; the population has already reset the
 * slot's window and grace count.
 *
 * <p>Perturbation acts only on the hyperparameters that have {@link Bounds}: each is multiplied by
 * {@code perturbFactor} or by its inverse (an even step on a log scale, e.g. x1.25 or x0.8), then
 * clamped to its bounds; the others are copied unchanged. Draws come from a seeded generator kept in
 * the state, so the same stream and seed give the same replacements, also across a checkpoint.
 *
 * <p>{@link #best()} is the mature member with the lowest windowed loss: the challenger to hand to
 * the gate. Recording is O(1); a step is O(K log K). Serializable; not thread-safe.
 */
public final class Population implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Search range of one hyperparameter, on a log scale.
     *
     * @param min smallest value, above 0
     * @param max largest value, at least min
     */
    public record Bounds(double min, double max) implements Serializable {

        public Bounds {
            if (!(min > 0) || Double.isInfinite(min)) {
                throw new IllegalArgumentException("min must be finite and above 0, was " + min);
            }
            if (!(max >= min) || Double.isInfinite(max)) {
                throw new IllegalArgumentException("max must be finite and at least min (" + min + "), was " + max);
            }
        }

        double clamp(double v) {
            return Math.min(max, Math.max(min, v));
        }
    }

    /**
     * How the population is judged and renewed.
     *
     * @param windowSize    examples in each member's prequential window, at least 1
     * @param interval      examples between steps in {@link #observe}, at least 1
     * @param dropFraction  fraction of the population replaced per step, in (0, 0.5]; at least one
     *                      member is replaced
     * @param grace         examples a member must have seen since it was (re)started before it can
     *                      be ranked, dropped or chosen as best, at least 1
     * @param perturbFactor multiplier of a perturbation step (or its inverse), above 1
     * @param bounds        hyperparameters to tune and their ranges; others are copied unchanged
     * @param seed          seed of the draws
     */
    public record Config(int windowSize, int interval, double dropFraction, int grace, double perturbFactor,
                         Map<String, Bounds> bounds, long seed) implements Serializable {

        public Config {
            if (windowSize < 1) {
                throw new IllegalArgumentException("windowSize must be at least 1, was " + windowSize);
            }
            if (interval < 1) {
                throw new IllegalArgumentException("interval must be at least 1, was " + interval);
            }
            if (!(dropFraction > 0 && dropFraction <= 0.5)) {
                throw new IllegalArgumentException("dropFraction must be in (0, 0.5], was " + dropFraction);
            }
            if (grace < 1) {
                throw new IllegalArgumentException("grace must be at least 1, was " + grace);
            }
            if (!(perturbFactor > 1) || Double.isInfinite(perturbFactor)) {
                throw new IllegalArgumentException("perturbFactor must be finite and above 1, was " + perturbFactor);
            }
            if (bounds == null) {
                throw new IllegalArgumentException("bounds must not be null");
            }
            for (Map.Entry<String, Bounds> e : bounds.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("bounds must not hold null keys or values");
                }
            }
            bounds = Collections.unmodifiableMap(new TreeMap<>(bounds)); // sorted: draws in a fixed order
        }

        /**
         * Windows of 2000 examples, a step every 1000, the worst quarter replaced, a grace of 1000
         * examples, perturbation x1.25 or x0.8.
         *
         * @param bounds hyperparameters to tune and their ranges
         * @param seed   seed of the draws
         * @return the defaults
         */
        public static Config defaults(Map<String, Bounds> bounds, long seed) {
            return new Config(2_000, 1_000, 0.25, 1_000, 1.25, bounds, seed);
        }
    }

    /**
     * A member to replace: copy {@code cloneFromIndex}'s model weights into {@code dropIndex} and
     * train it from now on with {@code newHyperparameters}.
     *
     * @param dropIndex          the member replaced
     * @param cloneFromIndex     the member whose model it copies
     * @param newHyperparameters the perturbed hyperparameters of the copy; unmodifiable
     */
    public record Replacement(int dropIndex, int cloneFromIndex, Map<String, Double> newHyperparameters)
            implements Serializable {

        public Replacement {
            newHyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(newHyperparameters));
        }
    }

    private final Config config;
    private final int size;
    private final ArrayList<Map<String, Double>> hyperparameters;
    private final PrequentialWindow[] windows;
    /** Examples recorded per member since it was (re)started. */
    private final long[] seen;
    private long examples;
    private long steps;
    private long replacements;
    private long rng;

    /**
     * @param initial the members' starting hyperparameters, at least two; each must hold every
     *                bounded hyperparameter within its bounds
     * @param config  see {@link Config#defaults(Map, long)}
     */
    public Population(List<Map<String, Double>> initial, Config config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        if (initial == null || initial.size() < 2) {
            throw new IllegalArgumentException("initial must hold at least two members, had "
                    + (initial == null ? "null" : initial.size()));
        }
        this.config = config;
        this.size = initial.size();
        this.hyperparameters = new ArrayList<>(size);
        this.windows = new PrequentialWindow[size];
        this.seen = new long[size];
        for (int i = 0; i < size; i++) {
            Map<String, Double> h = initial.get(i);
            if (h == null) {
                throw new IllegalArgumentException("initial[" + i + "] must not be null");
            }
            for (Map.Entry<String, Bounds> e : config.bounds().entrySet()) {
                Double v = h.get(e.getKey());
                if (v == null || !(v >= e.getValue().min() && v <= e.getValue().max())) {
                    throw new IllegalArgumentException("initial[" + i + "]." + e.getKey() + " must be in ["
                            + e.getValue().min() + ", " + e.getValue().max() + "], was " + v);
                }
            }
            hyperparameters.add(Collections.unmodifiableMap(new LinkedHashMap<>(h)));
            windows[i] = new PrequentialWindow(config.windowSize());
        }
        this.rng = config.seed();
    }

    /**
     * Records one member's score for an example, scored before the member trained on it.
     *
     * @param member the member's index
     * @param score  its probability
     * @param label  0 or 1
     */
    public void record(int member, double score, double label) {
        checkMember(member);
        windows[member].add(score, label);
        seen[member]++;
    }

    /**
     * Records every member's score for one example, and steps every {@code interval} examples.
     *
     * @param scores each member's probability, scored before it trained on the example
     * @param label  0 or 1
     * @return the replacements of the step this example completed, else an empty list
     */
    public List<Replacement> observe(double[] scores, double label) {
        if (scores == null || scores.length != size) {
            throw new IllegalArgumentException("scores must have one score per member (" + size + "), had "
                    + (scores == null ? "null" : scores.length));
        }
        for (int i = 0; i < size; i++) {
            if (!(scores[i] >= 0 && scores[i] <= 1)) {
                throw new IllegalArgumentException("scores[" + i + "] must be a probability in [0, 1], was "
                        + scores[i]);
            }
        }
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, was " + label);
        }
        for (int i = 0; i < size; i++) {
            record(i, scores[i], label);
        }
        return ++examples % config.interval() == 0 ? step() : List.of();
    }

    /**
     * Ranks the mature members and replaces the worst. Nothing happens with fewer than two mature
     * members.
     *
     * @return the replacements, worst member first; already applied to this population's state
     */
    public List<Replacement> step() {
        steps++;
        List<Integer> ranked = ranking();
        int mature = ranked.size();
        if (mature < 2) {
            return List.of();
        }
        int quota = Math.max(1, (int) Math.floor(config.dropFraction() * size));
        int drop = Math.min(quota, mature - 1);
        int top = Math.min(drop, mature - drop);
        List<Replacement> out = new ArrayList<>(drop);
        for (int k = 0; k < drop; k++) {
            int victim = ranked.get(mature - 1 - k);
            int source = ranked.get(top == 1 ? 0 : (int) (nextUnit() * top));
            Map<String, Double> h = perturb(hyperparameters.get(source));
            hyperparameters.set(victim, h);
            windows[victim].clear();
            seen[victim] = 0;
            replacements++;
            out.add(new Replacement(victim, source, h));
        }
        return Collections.unmodifiableList(out);
    }

    private Map<String, Double> perturb(Map<String, Double> source) {
        LinkedHashMap<String, Double> h = new LinkedHashMap<>(source);
        for (Map.Entry<String, Bounds> e : config.bounds().entrySet()) {
            double v = source.get(e.getKey());
            v = nextUnit() < 0.5 ? v * config.perturbFactor() : v / config.perturbFactor();
            h.put(e.getKey(), e.getValue().clamp(v));
        }
        return Collections.unmodifiableMap(h);
    }

    /** SplitMix64 on a long kept in the state, so draws survive a checkpoint; in [0, 1). */
    private double nextUnit() {
        long z = (rng += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    /**
     * @return the mature members (seen at least {@code grace} examples since their (re)start), best
     *         first by windowed log loss, ties by index
     */
    public List<Integer> ranking() {
        List<Integer> mature = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            if (seen[i] >= config.grace() && windows[i].size() > 0) {
                mature.add(i);
            }
        }
        mature.sort((a, b) -> {
            int c = Double.compare(windows[a].logLoss(), windows[b].logLoss());
            return c != 0 ? c : Integer.compare(a, b);
        });
        return mature;
    }

    /** @return the mature member with the lowest windowed log loss, -1 when none is mature */
    public int best() {
        List<Integer> r = ranking();
        return r.isEmpty() ? -1 : r.get(0);
    }

    /** @return how many members there are */
    public int size() {
        return size;
    }

    /**
     * @param member a member's index
     * @return its current hyperparameters, unmodifiable
     */
    public Map<String, Double> hyperparameters(int member) {
        checkMember(member);
        return hyperparameters.get(member);
    }

    /**
     * @param member a member's index
     * @return its windowed log loss, NaN when it has recorded nothing since its (re)start
     */
    public double loss(int member) {
        checkMember(member);
        return windows[member].logLoss();
    }

    /**
     * @param member a member's index
     * @param prefix put before each key
     * @return its window's {@link PrequentialWindow#metrics(String) metrics}
     */
    public Map<String, Double> metrics(int member, String prefix) {
        checkMember(member);
        return windows[member].metrics(prefix);
    }

    /**
     * @param member a member's index
     * @return examples it recorded since its (re)start
     */
    public long seen(int member) {
        checkMember(member);
        return seen[member];
    }

    /** @return examples counted by {@link #observe} */
    public long examples() {
        return examples;
    }

    /** @return steps taken */
    public long steps() {
        return steps;
    }

    /** @return members replaced so far */
    public long replacements() {
        return replacements;
    }

    public Config config() {
        return config;
    }

    private void checkMember(int member) {
        if (member < 0 || member >= size) {
            throw new IllegalArgumentException("member must be in [0, " + size + "), was " + member);
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Population[");
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ", ").append(i).append(hyperparameters.get(i))
                    .append(String.format(Locale.ROOT, " loss=%.4f", windows[i].logLoss()));
        }
        return b.append(']').toString();
    }
}
