package io.kingfisher.trainer.gate;

import io.kingfisher.trainer.eval.PrequentialWindow;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Watches a freshly swapped-in model against its parent and says when to roll back.
 *
 * <p>After the swap to version {@code v} (parent {@code p}), the trainer keeps {@code p} and scores
 * every labelled example with it too ("shadow" scores). For each example the monitor receives the
 * label, the score {@code v} served, and {@code p}'s shadow score, and keeps a
 * {@link PrequentialWindow} of each. Once at least {@code minExamples} examples are in, and then
 * every {@code checkInterval} examples, it compares the windows: if {@code v}'s log loss exceeds
 * {@code p}'s times {@code 1 + logLossMargin}, or {@code v}'s AUC is below {@code p}'s minus
 * {@code aucMargin} (when both are defined), the state becomes {@link State#ROLL_BACK} and stays
 * there until the next {@link #onSwap}. If {@code v} survives {@code probationExamples} examples
 * it is {@link State#CONFIRMED} and the parent can be released.
 *
 * <p>States: {@code IDLE} (nothing to watch) -&gt; {@code onSwap} -&gt; {@code WATCHING} -&gt;
 * {@code ROLL_BACK} or {@code CONFIRMED}; {@code onSwap} from any state starts watching anew (also
 * after a rollback, e.g. {@code onSwap(p, grandparent)}), {@link #reset()} goes back to IDLE. A
 * version without a parent has nothing to be compared with: do not call {@code onSwap} for it.
 *
 * <p>{@link #observe} is O(1) except at checks, which cost O(W log W) for the AUC (W the window),
 * i.e. amortized O(W log W / checkInterval). Serializable for checkpoints; not thread-safe.
 */
public final class RollbackMonitor implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Prefixes of the two windows' metrics in {@link #metrics()}. */
    public static final String LIVE = "live.";
    public static final String PARENT = "parent.";

    /** Where the monitor stands. */
    public enum State {
        /** No swap is being watched. */
        IDLE,
        /** Comparing the new version with its parent. */
        WATCHING,
        /** The new version is worse than its parent: roll back (latched until the next swap). */
        ROLL_BACK,
        /** The new version survived its probation; the parent may be released. */
        CONFIRMED
    }

    /**
     * Thresholds of the monitor.
     *
     * @param minExamples       examples after the swap before the first check, at least 1
     * @param window            examples in each window (the latest), at least {@code minExamples}
     * @param checkInterval     examples between checks after the first, at least 1
     * @param logLossMargin     relative slack: roll back when live &gt; parent x (1 + it); at least 0
     * @param aucMargin         roll back when live AUC &lt; parent AUC minus it; in [0, 1]
     * @param probationExamples examples after which a surviving version is confirmed, at least
     *                          {@code minExamples}
     */
    public record Config(int minExamples, int window, int checkInterval, double logLossMargin, double aucMargin,
                         long probationExamples) implements Serializable {

        public Config {
            if (minExamples < 1) {
                throw new IllegalArgumentException("minExamples must be at least 1, was " + minExamples);
            }
            if (window < minExamples) {
                throw new IllegalArgumentException("window must be at least minExamples (" + minExamples + "), was "
                        + window);
            }
            if (checkInterval < 1) {
                throw new IllegalArgumentException("checkInterval must be at least 1, was " + checkInterval);
            }
            if (!(logLossMargin >= 0) || Double.isInfinite(logLossMargin)) {
                throw new IllegalArgumentException("logLossMargin must be finite and at least 0, was " + logLossMargin);
            }
            if (!(aucMargin >= 0 && aucMargin <= 1)) {
                throw new IllegalArgumentException("aucMargin must be in [0, 1], was " + aucMargin);
            }
            if (probationExamples < minExamples) {
                throw new IllegalArgumentException("probationExamples must be at least minExamples (" + minExamples
                        + "), was " + probationExamples);
            }
        }

        /**
         * First check after 1000 examples, windows of 5000, a check every 100 examples, roll back at
         * 5% worse log loss or 0.02 lower AUC, confirmed after 50000 examples.
         *
         * @return the defaults
         */
        public static Config defaults() {
            return new Config(1000, 5000, 100, 0.05, 0.02, 50_000);
        }
    }

    /**
     * The monitor's verdict.
     *
     * @param state    where it stands
     * @param version  the watched version (meaningless when IDLE)
     * @param parent   its parent
     * @param examples examples observed since the swap
     * @param reason   human-readable, with the numbers of the last check
     * @param metrics  the last check's numbers: {@code n}, {@code live.logloss}, {@code parent.logloss},
     *                 {@code live.auc}, {@code parent.auc}; empty before the first check; unmodifiable
     */
    public record Decision(State state, long version, long parent, long examples, String reason,
                           Map<String, Double> metrics) implements Serializable {

        public Decision {
            if (state == null || reason == null || metrics == null) {
                throw new IllegalArgumentException("state, reason and metrics must not be null");
            }
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }

        /** @return whether to roll back to the parent */
        public boolean rollBack() {
            return state == State.ROLL_BACK;
        }
    }

    private final Config config;
    private final PrequentialWindow live;
    private final PrequentialWindow shadow;
    private State state = State.IDLE;
    private long version;
    private long parent;
    private long examples;
    private String reason = "no swap watched";
    private LinkedHashMap<String, Double> lastCheck = new LinkedHashMap<>();

    /** @param config thresholds; see {@link Config#defaults()} */
    public RollbackMonitor(Config config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.live = new PrequentialWindow(config.window());
        this.shadow = new PrequentialWindow(config.window());
    }

    public Config config() {
        return config;
    }

    /**
     * Starts watching a new version against its parent, forgetting whatever was watched before.
     *
     * @param version the version now served
     * @param parent  the version it replaced, which the trainer keeps scoring in the shadow
     */
    public void onSwap(long version, long parent) {
        if (version == parent) {
            throw new IllegalArgumentException("version and parent must differ, both were " + version);
        }
        this.version = version;
        this.parent = parent;
        live.clear();
        shadow.clear();
        examples = 0;
        lastCheck = new LinkedHashMap<>();
        state = State.WATCHING;
        reason = String.format(Locale.ROOT, "watching %d against parent %d", version, parent);
    }

    /** Stops watching. */
    public void reset() {
        live.clear();
        shadow.clear();
        examples = 0;
        lastCheck = new LinkedHashMap<>();
        state = State.IDLE;
        reason = "no swap watched";
    }

    /**
     * One labelled example, scored by the served version and by the parent in the shadow. Ignored
     * unless {@link State#WATCHING}.
     *
     * @param label       0 or 1
     * @param liveScore   the served version's probability
     * @param parentScore the parent's probability for the same example
     * @return {@link #shouldRollBack()} after this example
     */
    public boolean observe(double label, double liveScore, double parentScore) {
        if (state != State.WATCHING) {
            return state == State.ROLL_BACK;
        }
        if (!(parentScore >= 0 && parentScore <= 1)) {
            throw new IllegalArgumentException("parentScore must be a probability in [0, 1], was " + parentScore);
        }
        live.add(liveScore, label); // validates liveScore and label before anything changes
        shadow.add(parentScore, label);
        examples++;
        if (examples >= config.minExamples() && (examples - config.minExamples()) % config.checkInterval() == 0) {
            check();
        }
        return state == State.ROLL_BACK;
    }

    private void check() {
        double liveLoss = live.logLoss();
        double parentLoss = shadow.logLoss();
        double liveAuc = live.auc();
        double parentAuc = shadow.auc();
        lastCheck = new LinkedHashMap<>();
        lastCheck.put(PrequentialWindow.N, (double) live.size());
        lastCheck.put(LIVE + PrequentialWindow.LOGLOSS, liveLoss);
        lastCheck.put(PARENT + PrequentialWindow.LOGLOSS, parentLoss);
        lastCheck.put(LIVE + PrequentialWindow.AUC, liveAuc);
        lastCheck.put(PARENT + PrequentialWindow.AUC, parentAuc);
        double lossLimit = parentLoss * (1 + config.logLossMargin());
        String numbers = String.format(Locale.ROOT,
                "after %d examples (window %d): log loss %.5f vs parent %.5f, AUC %.4f vs %.4f", examples,
                live.size(), liveLoss, parentLoss, liveAuc, parentAuc);
        if (liveLoss > lossLimit) {
            state = State.ROLL_BACK;
            reason = String.format(Locale.ROOT, "roll back %d to %d: log loss %.5f > parent %.5f x %.4f; %s", version,
                    parent, liveLoss, parentLoss, 1 + config.logLossMargin(), numbers);
        } else if (!Double.isNaN(liveAuc) && !Double.isNaN(parentAuc) && liveAuc < parentAuc - config.aucMargin()) {
            state = State.ROLL_BACK;
            reason = String.format(Locale.ROOT, "roll back %d to %d: AUC %.4f < parent %.4f - %.4f; %s", version,
                    parent, liveAuc, parentAuc, config.aucMargin(), numbers);
        } else if (examples >= config.probationExamples()) {
            state = State.CONFIRMED;
            reason = String.format(Locale.ROOT, "confirmed %d over parent %d; %s", version, parent, numbers);
        } else {
            reason = String.format(Locale.ROOT, "watching %d against parent %d, within margins %s", version, parent,
                    numbers);
        }
    }

    /** @return whether the watched version should be rolled back to its parent */
    public boolean shouldRollBack() {
        return state == State.ROLL_BACK;
    }

    /** @return the current verdict with its reason and the last check's numbers */
    public Decision decision() {
        return new Decision(state, version, parent, examples, reason, lastCheck);
    }

    public State state() {
        return state;
    }

    /** @return the watched version */
    public long version() {
        return version;
    }

    /** @return the watched version's parent */
    public long parent() {
        return parent;
    }

    /** @return examples observed since the swap */
    public long examples() {
        return examples;
    }

    /**
     * Both windows' full metrics, for dashboards; O(W log W).
     *
     * @return keys of {@link PrequentialWindow#metrics(String)} prefixed {@value #LIVE} and {@value #PARENT}
     */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>(live.metrics(LIVE));
        m.putAll(shadow.metrics(PARENT));
        return m;
    }
}
