package io.kingfisher.trainer.online;

import io.kingfisher.trainer.GoldenSet;
import io.kingfisher.trainer.drift.Adwin;
import io.kingfisher.trainer.drift.DistinctWindow;
import io.kingfisher.trainer.drift.Psi;
import io.kingfisher.trainer.drift.PsiWindows;
import io.kingfisher.trainer.eval.BinaryMetrics;
import io.kingfisher.trainer.eval.PrequentialWindow;
import io.kingfisher.trainer.gate.Gate;
import io.kingfisher.trainer.gate.RollbackMonitor;
import io.kingfisher.trainer.tuning.Population;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fine-tunes a model on the stream of training examples and decides which candidate may serve. Plain Java and
 * DL4J: the job feeds it examples and publishes what it decides.
 *
 * <p>Per mini-batch, <em>test then train</em>: the champion (the version serving now), its parent, the frozen warm
 * start and every member of the population score the batch before any of them learns from it; then each member
 * takes one optimiser step on it. So every windowed metric is an honest out-of-sample estimate on the same examples,
 * and the served model's own scores (as served) are tracked beside them.
 *
 * <p>Every {@code publishEveryExamples} examples or {@code publishEveryMillis}, the best member (by windowed log
 * loss) goes to the {@link Gate}: it must not be worse than the champion on the recent window, nor on the golden
 * set (the warm start's held-out rows) by more than the margins, nor worse than the frozen warm start on the recent
 * window (so small steps cannot add up to a model worse than where it started), and it must beat chance both on the recent labels
 * and on the golden set; a candidate fed flipped labels cannot do both. Once drift is detected the golden set
 * describes the old world, and only the chance check uses it. After a swap a {@link RollbackMonitor} compares the new
 * version's live scores with its parent's shadow scores on the same examples and restores the parent when the new
 * one is worse. ADWIN on the served loss and PSI on the features report drift and, as configured, raise the
 * learning rates or restart from the warm start. A {@link Population} re-seeds the worst members from the best.
 *
 * <p>Not thread-safe. The members' parameters and updater state, the windows and the detectors are all in
 * {@link #checkpoint()}; the champion, parent and warm start are published versions, which the job reloads from
 * the model store on a restore.
 */
public final class OnlineLearner {
    private final LearnerSettings settings;
    private final GoldenSet golden;
    private final Gate gate;
    private final Gate frozenGate;

    private MultiLayerNetwork frozen;
    private long frozenVersion;
    private MultiLayerNetwork champion;
    private long championVersion;
    private MultiLayerNetwork parent;
    private long parentVersion = -1;
    private final List<MultiLayerNetwork> members = new ArrayList<>();

    private State state;
    private long versionFloor;
    private final float[][] batchX;
    private final Example[] batch;
    private int batchRows;

    /** Everything that is not a published network: checkpointed as one Java-serializable object. */
    static final class State implements Serializable {
        private static final long serialVersionUID = 1L;
        long latestVersion;
        int width;
        long examples;
        long examplesSincePublish;
        long examplesSinceDecision;
        long lastTuneExamples;
        long lastDecisionMillis;
        long boostRemaining;
        long minEventTime = Long.MAX_VALUE;
        long maxEventTime = Long.MIN_VALUE;
        /** labels-topic partition → {first offset, last offset} of the label records trained on. */
        final TreeMap<Integer, long[]> offsets = new TreeMap<>();
        double[] learningRates;
        long[] trainedThroughLabelIngest;
        float[][] memberParams;
        float[][] memberUpdaterState;
        PrequentialWindow served;
        PrequentialWindow championWindow;
        PrequentialWindow frozenWindow;
        PrequentialWindow[] memberWindows;
        Adwin lossDrift;
        Psi featureDrift;
        /** The entities of the PSI window's rows (their names' hash codes); null until an example names one. */
        DistinctWindow psiEntities;
        long psiRows;
        boolean psiReported;
        RollbackMonitor rollback;
        Population population;
        double frozenGoldenAuc = Double.NaN;
        double championGoldenAuc = Double.NaN;
        boolean goldenStale;
        int[] memberIterations;
        int[] memberEpochs;
        long published;
        long refused;
        long rolledBack;
        long drifts;
        /** Positives held back until negatives flow; null in a state checkpointed before it existed. */
        StartBalance startBalance;
    }

    /**
     * Starts from a warm-start (or any published) model.
     *
     * @param start        the model to fine-tune; it is also the champion and the frozen reference
     * @param startVersion its version
     * @param golden       the warm start's held-out rows, or null (then the golden checks are skipped)
     * @param baseLearningRate the warm start's learning rate; the members' rates spread around it times
     *                         {@link LearnerSettings#learningRateScale()}
     */
    public OnlineLearner(LearnerSettings settings, MultiLayerNetwork start, long startVersion, GoldenSet golden,
                         double baseLearningRate) {
        this(settings, golden, newState(settings, golden, startVersion, baseLearningRate));
        this.frozen = start.clone();
        this.frozenVersion = startVersion;
        this.champion = start.clone();
        this.championVersion = startVersion;
        for (int i = 0; i < settings.population(); i++) {
            MultiLayerNetwork m = start.clone();
            m.setLearningRate(state.learningRates[i]);
            members.add(m);
        }
        state.frozenGoldenAuc = goldenAuc(frozen);
        state.championGoldenAuc = state.frozenGoldenAuc;
    }

    private OnlineLearner(LearnerSettings settings, GoldenSet golden, State state) {
        io.kingfisher.scoring.Nd4jReachability.install(); // ops must outlive their native calls (see there)
        this.settings = settings;
        this.golden = golden;
        this.state = state;
        this.gate = new Gate(new Gate.Config(settings.gateMinExamples(), settings.gateMinPositives(),
                settings.gateLossMargin(), settings.gateAucMargin(), settings.goldenAucMargin(), false));
        // Against the frozen warm start the margins are halved: small steps that each pass against the champion must
        // not add up to a served model clearly worse than where the learner started.
        this.frozenGate = new Gate(new Gate.Config(settings.gateMinExamples(), settings.gateMinPositives(),
                settings.gateLossMargin() / 2, settings.gateAucMargin() / 2, settings.goldenAucMargin(), false));
        this.batchX = new float[settings.batchSize()][];
        this.batch = new Example[settings.batchSize()];
    }

    private static State newState(LearnerSettings s, GoldenSet golden, long startVersion, double baseLearningRate) {
        if (!(baseLearningRate > 0)) {
            throw new IllegalArgumentException("base learning rate must be > 0, was " + baseLearningRate);
        }
        State st = new State();
        st.latestVersion = startVersion;
        int k = s.population();
        st.learningRates = new double[k];
        List<Map<String, Double>> hyper = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            // log-spaced around the base: base/spread ... base*spread
            double exponent = k == 1 ? 0 : 2.0 * i / (k - 1) - 1.0;
            st.learningRates[i] = baseLearningRate * s.learningRateScale() * Math.pow(s.learningRateSpread(), exponent);
            hyper.add(Map.of(LEARNING_RATE, st.learningRates[i]));
        }
        st.trainedThroughLabelIngest = new long[k];
        st.startBalance = new StartBalance(s.window());
        st.served = new PrequentialWindow(s.window());
        st.championWindow = new PrequentialWindow(s.window());
        st.frozenWindow = new PrequentialWindow(s.window());
        st.memberWindows = new PrequentialWindow[k];
        for (int i = 0; i < k; i++) {
            st.memberWindows[i] = new PrequentialWindow(s.window());
        }
        st.lossDrift = new Adwin(s.driftConfidence(), 5);
        st.featureDrift = golden == null ? null : PsiWindows.against(golden, s.psiWarmUp(), s.psiWindow());
        st.rollback = new RollbackMonitor(new RollbackMonitor.Config(s.rollbackMinExamples(),
                Math.max(s.rollbackMinExamples(), s.window()), 100, s.rollbackLossMargin(), 0.05,
                Math.max(s.rollbackMinExamples(), 20L * s.window())));
        if (k >= 2) {
            int grace = Math.max(1, Math.min(s.tuneEveryExamples(), s.window()));
            // Tuning explores within [1e-5, 0.1], widened to take in the configured starting rates: any
            // learning.lr_scale the settings accept must start (a low scale once failed the trainer in a loop).
            double lowest = Math.min(TUNED_RATE_MIN, java.util.Arrays.stream(st.learningRates).min().orElseThrow());
            double highest = Math.max(TUNED_RATE_MAX, java.util.Arrays.stream(st.learningRates).max().orElseThrow());
            st.population = new Population(hyper, new Population.Config(s.window(), s.tuneEveryExamples(), 0.34, grace,
                    1.25, Map.of(LEARNING_RATE, new Population.Bounds(lowest, highest)), s.seed()));
        }
        return st;
    }

    /**
     * Marks the key of a row whose example names no entity: above any int hash code widened to a long (those have their
     * top 33 bits all equal), so it never meets a named entity's.
     */
    private static final long UNNAMED_ENTITY = 1L << 62;

    /** The learning rates tuning explores, unless the configured starting rates lie outside. */
    static final double TUNED_RATE_MIN = 1e-5;
    static final double TUNED_RATE_MAX = 0.1;

    /** Hyperparameter key of the learning rate. */
    public static final String LEARNING_RATE = "learning_rate";

    /**
     * Test, then train, on one example (buffered into mini-batches), and decide what follows. At a cold start,
     * positives that come before the first negative are held back and trained beside the negatives of their
     * period ({@link StartBalance}).
     *
     * @param nowMillis the wall clock, for the publication cadence
     * @return the decisions taken, in order (usually none)
     */
    public List<LearningDecision> learn(Example e, long nowMillis) {
        if (state.width == 0) {
            state.width = golden != null ? golden.width() : e.features().length;
        }
        if (e.features().length != state.width) {
            throw new IllegalArgumentException("example has " + e.features().length + " features, the model takes "
                    + state.width);
        }
        if (state.lastDecisionMillis == 0) {
            state.lastDecisionMillis = nowMillis;
        }
        List<LearningDecision> out = new ArrayList<>(1);
        if (state.startBalance == null || state.startBalance.done()) {
            add(e, out);
        } else {
            for (Example ready : state.startBalance.offer(e)) {
                add(ready, out);
            }
        }
        decideIfDue(nowMillis, out);
        return out;
    }

    private void add(Example e, List<LearningDecision> out) {
        batch[batchRows] = e;
        batchX[batchRows] = e.features();
        batchRows++;
        if (batchRows == batch.length) {
            step(out);
        }
    }

    /** @return positives held back until the first negative arrives (see {@link StartBalance}) */
    public int heldAtStart() {
        return state.startBalance == null ? 0 : state.startBalance.held();
    }

    /** Trains on a partial batch if one is waiting and decides if a decision is due; call when the stream is idle. */
    public List<LearningDecision> tick(long nowMillis) {
        List<LearningDecision> out = new ArrayList<>(1);
        if (batchRows > 0 && nowMillis - state.lastDecisionMillis >= settings.publishEveryMillis()) {
            step(out);
        }
        decideIfDue(nowMillis, out);
        return out;
    }

    private void step(List<LearningDecision> out) {
        int n = batchRows;
        int width = batchX[0].length;
        float[] flat = new float[n * width];
        float[] labels = new float[n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(batchX[r], 0, flat, r * width, width);
            labels[r] = batch[r].label();
        }
        INDArray x = Nd4j.create(flat, new long[] {n, width}, 'c');
        INDArray y = Nd4j.create(labels, new long[] {n, 1}, 'c');

        // Test: everyone scores the batch before anyone learns from it.
        double[] championScores = scores(champion, x, n);
        // The parent is needed only while a new version is on probation.
        double[] frozenScores = scores(frozen, x, n);
        double[] parentScores = parent == null || state.rollback.state() != RollbackMonitor.State.WATCHING
                ? null : scores(parent, x, n);
        double[][] memberScores = new double[members.size()][];
        for (int m = 0; m < members.size(); m++) {
            memberScores[m] = scores(members.get(m), x, n);
        }
        double batchLoss = 0;
        for (int r = 0; r < n; r++) {
            Example e = batch[r];
            float label = labels[r];
            state.served.add(e.servedScore(), label);
            state.championWindow.add(championScores[r], label);
            state.frozenWindow.add(frozenScores[r], label);
            for (int m = 0; m < members.size(); m++) {
                state.memberWindows[m].add(memberScores[m][r], label);
                if (state.population != null) {
                    state.population.record(m, memberScores[m][r], label);
                }
            }
            if (parentScores != null && e.servedVersion() == championVersion) {
                state.rollback.observe(label, e.servedScore(), parentScores[r]);
            }
            batchLoss += logLoss(e.servedScore(), label);
            if (state.featureDrift != null) {
                observeForPsi(e, state.examples + r);
            }
            track(e);
        }
        // Train: one optimiser step per member on the batch.
        DataSet data = new DataSet(x, y);
        for (int m = 0; m < members.size(); m++) {
            members.get(m).fit(data);
            for (int r = 0; r < n; r++) {
                if (batch[r].fromLabelRecord()) {
                    state.trainedThroughLabelIngest[m] = Math.max(state.trainedThroughLabelIngest[m], batch[r].labelIngestTime());
                }
            }
        }
        state.examples += n;
        state.examplesSincePublish += n;
        state.examplesSinceDecision += n;
        if (state.boostRemaining > 0) {
            state.boostRemaining -= n;
            if (state.boostRemaining <= 0) {
                applyLearningRates(1.0);
            }
        }
        batchRows = 0;
        java.util.Arrays.fill(batch, null);
        java.util.Arrays.fill(batchX, null);

        double before = state.lossDrift.mean();
        if (state.lossDrift.update(batchLoss / n) && state.lossDrift.lastChangeWasIncrease()) {
            out.add(onDrift("adwin", String.format(Locale.ROOT, "ADWIN: the served model's log loss rose from about %.4f to %.4f "
                    + "(mean of %d-example batches)", before, state.lossDrift.mean(), settings.batchSize())));
        }
        checkFeatureDrift(out);
        tune(out);
        if (state.rollback.shouldRollBack() && parent != null) {
            out.add(rollBack(state.rollback.decision().reason(), state.rollback.metrics()));
        }
    }

    /**
     * Puts an example into the PSI window ({@link PsiWindows#observe}); an example that names no entity counts as an
     * entity of its own.
     *
     * @param row a number no other row of the window has (the example's position in the stream)
     */
    private void observeForPsi(Example e, long row) {
        Psi psi = state.featureDrift;
        if (state.psiEntities == null) { // the first example, or the first after restore rebuilt an earlier release's PSI
            state.psiEntities = new DistinctWindow(psi.capacity());
            psi.clear();
        }
        PsiWindows.observe(psi, state.psiEntities, e.features(), e.entity() == null ? UNNAMED_ENTITY | row : e.entity().hashCode(),
                e.eventTime(), settings.psiWindow(), settings.psiMinEntities());
    }

    private void track(Example e) {
        state.minEventTime = Math.min(state.minEventTime, e.eventTime());
        state.maxEventTime = Math.max(state.maxEventTime, e.eventTime());
        if (e.partition() >= 0) {
            long[] range = state.offsets.computeIfAbsent(e.partition(), p -> new long[] {e.offset(), e.offset()});
            range[0] = Math.min(range[0], e.offset());
            range[1] = Math.max(range[1], e.offset());
        }
    }

    private void checkFeatureDrift(List<LearningDecision> out) {
        if (state.featureDrift == null) {
            return;
        }
        state.psiRows += settings.batchSize();
        if (state.psiRows < settings.psiWindow()) {
            return;
        }
        state.psiRows = 0;
        if (!PsiWindows.spansEnough(state.psiEntities, settings.psiMinEntities())) {
            return;
        }
        Psi.Shift shift = psiShift();
        double max = shift == null ? 0 : shift.psi();
        if (max > settings.psiThreshold() && !state.psiReported) {
            state.psiReported = true;
            DistinctWindow entities = state.psiEntities;
            String over = entities == null || entities.rows() == 0 ? ""
                    : String.format(Locale.ROOT, " over %,d rows of %,d entities", entities.rows(), entities.distinct());
            out.add(onDrift("psi", String.format(Locale.ROOT, "PSI: feature %d shifted against the golden set (PSI %.2f > %.2f%s)",
                    shift.feature(), max, settings.psiThreshold(), over)));
        } else if (max <= settings.psiThreshold()) {
            state.psiReported = false;
        }
    }

    /**
     * The largest PSI among the columns PSI looks at yet: a column still warming up in a store that started empty
     * differs from the warm start's for that reason alone ({@link LearnerSettings#psiWarmUp()}), so the window's oldest
     * row must have come that long after the stream's first. Null when none is compared.
     */
    private Psi.Shift psiShift() {
        return PsiWindows.largest(state.featureDrift, settings.psiWarmUp(), state.psiEntities, state.minEventTime,
                state.maxEventTime);
    }

    private LearningDecision onDrift(String detector, String why) {
        state.drifts++;
        state.goldenStale = true;
        Map<String, Double> m = new LinkedHashMap<>(state.served.metrics("served."));
        m.put("drift.adwin_mean_loss", state.lossDrift.mean());
        m.put("drift.adwin_width", (double) state.lossDrift.width());
        if (state.featureDrift != null) {
            Psi.Shift shift = psiShift();
            m.put("drift.psi_max", shift == null ? Double.NaN : shift.psi());
            if (state.psiEntities != null && state.psiEntities.rows() > 0) {
                m.put("drift.psi_entities", (double) state.psiEntities.distinct());
            }
        }
        String action;
        switch (settings.onDrift()) {
            case BOOST_LR -> {
                if (state.boostRemaining <= 0) {
                    applyLearningRates(settings.boostFactor());
                }
                state.boostRemaining = settings.boostExamples();
                action = String.format(Locale.ROOT, "; learning rates x%.1f for %d examples", settings.boostFactor(),
                        settings.boostExamples());
            }
            case RESET -> {
                for (int i = 0; i < members.size(); i++) {
                    MultiLayerNetwork fresh = frozen.clone();
                    fresh.setLearningRate(state.learningRates[i]);
                    members.set(i, fresh);
                }
                action = "; members restarted from the warm start v" + frozenVersion;
            }
            default -> action = "";
        }
        return new LearningDecision.Drift(detector, why + action, m);
    }

    private void applyLearningRates(double factor) {
        for (int i = 0; i < members.size(); i++) {
            members.get(i).setLearningRate(state.learningRates[i] * factor);
        }
    }

    private void tune(List<LearningDecision> out) {
        if (state.population == null || state.examples - state.lastTuneExamples < settings.tuneEveryExamples()) {
            return;
        }
        state.lastTuneExamples = state.examples;
        List<Population.Replacement> replaced = state.population.step();
        for (Population.Replacement r : replaced) {
            MultiLayerNetwork copy = members.get(r.cloneFromIndex()).clone();
            double lr = r.newHyperparameters().get(LEARNING_RATE);
            state.learningRates[r.dropIndex()] = lr;
            copy.setLearningRate(state.boostRemaining > 0 ? lr * settings.boostFactor() : lr);
            members.set(r.dropIndex(), copy);
            state.memberWindows[r.dropIndex()] = copy(state.memberWindows[r.cloneFromIndex()]);
            state.trainedThroughLabelIngest[r.dropIndex()] = state.trainedThroughLabelIngest[r.cloneFromIndex()];
        }
        if (!replaced.isEmpty()) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < members.size(); i++) {
                m.put("member" + i + ".learning_rate", state.learningRates[i]);
                m.put("member" + i + ".logloss", state.memberWindows[i].logLoss());
            }
            out.add(new LearningDecision.Tuned("replaced " + replaced.size() + " member(s) with perturbed copies of member "
                    + state.population.best(), m));
        }
    }

    private void decideIfDue(long nowMillis, List<LearningDecision> out) {
        boolean due = state.examplesSinceDecision >= settings.publishEveryExamples()
                || (nowMillis - state.lastDecisionMillis >= settings.publishEveryMillis()
                && state.examplesSincePublish >= settings.minExamplesToPublish());
        if (!due || state.championWindow.size() < settings.gateMinExamples()) {
            return; // not yet enough examples in the windows for the gate to judge
        }
        state.lastDecisionMillis = nowMillis;
        state.examplesSinceDecision = 0;
        int best = state.population == null ? 0 : Math.max(0, state.population.best());
        MultiLayerNetwork candidate = members.get(best);
        PrequentialWindow cw = state.memberWindows[best];
        double candidateGolden = goldenAuc(candidate);
        // After a detected drift the golden set describes the old world: candidates are no longer held to the
        // champion's golden AUC, only to better than chance on it (which still catches inverted labels).
        boolean goldenCurrent = !state.goldenStale;
        Gate.Decision d = gate.decide(state.championWindow, cw, goldenCurrent ? state.championGoldenAuc : Double.NaN,
                goldenCurrent ? candidateGolden : Double.NaN);
        // Small steps that each pass against the champion could still add up to a model worse than the warm start:
        // the candidate must also be no worse than the frozen warm start on the same recent examples.
        Gate.Decision vsFrozen = frozenGate.decide(state.frozenWindow, cw, Double.NaN, Double.NaN);
        Map<String, Double> metrics = new LinkedHashMap<>(d.metrics());
        metrics.put("frozen_logloss_ratio", vsFrozen.metrics().get(Gate.LOGLOSS_RATIO));
        String refusal = !d.publish() ? d.reason()
                : !vsFrozen.publish() ? "worse than the frozen warm start v" + frozenVersion + ": " + vsFrozen.reason()
                : extraChecks(cw, candidateGolden);
        metrics.putAll(state.served.metrics("served."));
        metrics.putAll(state.frozenWindow.metrics("frozen."));
        metrics.put("golden.frozen_auc", state.frozenGoldenAuc);
        metrics.put("examples.total", (double) state.examples);
        if (refusal != null) {
            state.refused++;
            out.add(new LearningDecision.Refuse(refusal, metrics));
            return;
        }
        long version = nextVersion();
        state.published++;
        metrics.put("trained_through_label_ingest_ms", (double) state.trainedThroughLabelIngest[best]);
        metrics.put("examples.since_parent", (double) state.examplesSincePublish);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("source", "online");
        config.put("online.member", String.valueOf(best));
        config.put("online.learning_rate", String.valueOf(state.learningRates[best]));
        config.put("online.batch_size", String.valueOf(settings.batchSize()));
        config.put("online.population", String.valueOf(members.size()));
        config.put("warm_start.version", String.valueOf(frozenVersion));
        config.putAll(inputRange());
        MultiLayerNetwork published = candidate.clone();
        parent = champion;
        parentVersion = championVersion;
        champion = published;
        championVersion = version;
        state.championGoldenAuc = candidateGolden;
        state.championWindow = copy(cw);
        state.examplesSincePublish = 0;
        state.rollback.onSwap(version, parentVersion);
        out.add(new LearningDecision.Publish(version, parentVersion, published, d.reason(), metrics, config));
    }

    /**
     * Checks beyond champion-versus-candidate: the candidate must beat chance by {@value #CHANCE_MARGIN} AUC on the
     * recent examples, and must not rank the golden set worse than chance by more than that. A model trained on
     * inverted labels cannot pass both: as long as it still ranks the trusted golden rows right it ranks the
     * inverted recent labels wrong, and the other way round. A model adapted to a genuinely new world may lose its
     * skill on the old golden rows (AUC near 0.5) but does not invert it.
     */
    private String extraChecks(PrequentialWindow candidate, double candidateGolden) {
        double auc = candidate.auc();
        if (!Double.isNaN(auc) && auc < 0.5 + CHANCE_MARGIN) {
            return String.format(Locale.ROOT, "candidate AUC %.3f on the recent examples is not better than chance: the "
                    + "labels contradict what the model knows (flipped or corrupted labels?)", auc);
        }
        if (!Double.isNaN(candidateGolden) && candidateGolden < 0.5 - CHANCE_MARGIN) {
            return String.format(Locale.ROOT, "candidate AUC %.3f on the golden set is worse than chance: it learned "
                    + "labels that contradict the trusted ones", candidateGolden);
        }
        return null;
    }

    /** How far above 0.5 a candidate's AUC must be, on recent and on golden labels. */
    static final double CHANCE_MARGIN = 0.02;

    private LearningDecision rollBack(String why, Map<String, Double> check) {
        long version = nextVersion();
        long restored = parentVersion;
        state.rolledBack++;
        Map<String, Double> metrics = new LinkedHashMap<>(check);
        metrics.putAll(state.served.metrics("served."));
        champion = parent;
        championVersion = version;
        state.championGoldenAuc = goldenAuc(champion);
        for (int i = 0; i < members.size(); i++) {
            MultiLayerNetwork m = champion.clone();
            m.setLearningRate(state.learningRates[i]);
            members.set(i, m);
            state.memberWindows[i] = new PrequentialWindow(settings.window());
        }
        state.championWindow = new PrequentialWindow(settings.window());
        state.frozenWindow = new PrequentialWindow(settings.window()); // the gate compares windows over the same examples
        parent = null;
        parentVersion = -1;
        state.rollback.reset();
        state.examplesSincePublish = 0;
        return new LearningDecision.RollBack(version, restored, champion.clone(), why, metrics);
    }

    /**
     * A snapshot published elsewhere: a version newer than any this learner published becomes the champion and the
     * members restart from it; this learner's own publications coming back are ignored.
     *
     * @return the decision, or null when nothing changed
     */
    public LearningDecision adopt(MultiLayerNetwork network, long version) {
        if (version <= state.latestVersion) {
            return null;
        }
        parent = champion;
        parentVersion = championVersion;
        champion = network.clone();
        championVersion = version;
        state.latestVersion = version;
        state.championGoldenAuc = goldenAuc(champion);
        for (int i = 0; i < members.size(); i++) {
            MultiLayerNetwork m = network.clone();
            m.setLearningRate(state.learningRates[i]);
            members.set(i, m);
            state.memberWindows[i] = new PrequentialWindow(settings.window());
        }
        state.championWindow = new PrequentialWindow(settings.window());
        state.frozenWindow = new PrequentialWindow(settings.window()); // the gate compares windows over the same examples
        state.rollback.reset();
        state.examplesSincePublish = 0;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("golden.auc", state.championGoldenAuc);
        return new LearningDecision.Adopted(version, "v" + version + " was published elsewhere; fine-tuning continues from it", m);
    }

    /** @return the input range seen so far: examples, event times, and per labels-topic partition the offsets of the
     *     label records it trained on (timeouts and provisional negatives have none) */
    private Map<String, String> inputRange() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("input.examples", String.valueOf(state.examples));
        m.put("input.event_time_from", String.valueOf(state.minEventTime));
        m.put("input.event_time_to", String.valueOf(state.maxEventTime));
        StringBuilder b = new StringBuilder();
        state.offsets.forEach((p, r) -> b.append(b.isEmpty() ? "" : ",").append(p).append(':').append(r[0]).append('-').append(r[1]));
        m.put("input.label_offsets", b.toString());
        return m;
    }

    private double goldenAuc(MultiLayerNetwork network) {
        if (golden == null) {
            return Double.NaN;
        }
        int n = golden.x().length;
        int width = golden.width();
        double[] out = new double[n];
        int chunk = 4096;
        for (int from = 0; from < n; from += chunk) {
            int rows = Math.min(chunk, n - from);
            float[] flat = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(golden.x()[from + r], 0, flat, r * width, width);
            }
            double[] s = scores(network, Nd4j.create(flat, new long[] {rows, width}, 'c'), rows);
            System.arraycopy(s, 0, out, from, rows);
        }
        return BinaryMetrics.auc(out, golden.y());
    }

    /** A deep copy of a window (a candidate's history becomes the champion's, a clone inherits its source's). */
    private static PrequentialWindow copy(PrequentialWindow w) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
                out.writeObject(w);
            }
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                return (PrequentialWindow) in.readObject();
            }
        } catch (java.io.IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot copy a prequential window", e);
        }
    }

    private static double[] scores(MultiLayerNetwork network, INDArray x, int n) {
        INDArray out = network.output(x, false);
        double[] s = new double[n];
        for (int r = 0; r < n; r++) {
            s[r] = out.getDouble(r, 0);
        }
        return s;
    }

    private static double logLoss(double p, float y) {
        double q = Math.min(1 - 1e-7, Math.max(1e-7, p));
        return y == 1f ? -Math.log(q) : -Math.log(1 - q);
    }

    // --- checkpoint and restore ---

    /**
     * @return the state to checkpoint, serialized: members' parameters and optimiser state, windows, detectors,
     *     counters
     */
    public byte[] checkpoint() {
        int k = members.size();
        state.memberParams = new float[k][];
        state.memberUpdaterState = new float[k][];
        state.memberIterations = new int[k];
        state.memberEpochs = new int[k];
        for (int i = 0; i < k; i++) {
            MultiLayerNetwork m = members.get(i);
            state.memberIterations[i] = m.getLayerWiseConfigurations().getIterationCount();
            state.memberEpochs[i] = m.getLayerWiseConfigurations().getEpochCount();
            state.memberParams[i] = m.params().toFloatVector();
            INDArray u = m.getUpdater() == null ? null : m.getUpdater().getStateViewArray();
            state.memberUpdaterState[i] = u == null ? null : u.toFloatVector();
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(state);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot serialize the learner's state", e);
        } finally {
            state.memberParams = null;
            state.memberUpdaterState = null;
        }
        return bytes.toByteArray();
    }

    /**
     * Rebuilds a learner from a checkpoint. Examples buffered into an unfinished mini-batch at the checkpoint are
     * not in it: they are replayed from the examples topic, which the source rewinds to the checkpoint's offsets.
     *
     * @param frozen   the warm start (version {@code frozenVersion})
     * @param champion the version serving at the checkpoint
     * @param parent   its parent, or null
     */
    public static OnlineLearner restore(LearnerSettings settings, GoldenSet golden, byte[] checkpoint,
                                        MultiLayerNetwork frozen, long frozenVersion,
                                        MultiLayerNetwork champion, long championVersion,
                                        MultiLayerNetwork parent, long parentVersion) {
        State state;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(checkpoint))) {
            state = (State) in.readObject();
        } catch (java.io.IOException | ClassNotFoundException e) {
            throw new IllegalArgumentException("not a checkpoint of the online learner: " + e.getMessage(), e);
        }
        if (golden != null && (state.featureDrift == null || !PsiWindows.current(state.featureDrift, settings.psiWindow()))) {
            // A checkpoint of an earlier release, whose PSI window had one size and compared every golden row: start
            // the drift window afresh under today's rules (what it held is only the last few thousand rows).
            state.featureDrift = PsiWindows.against(golden, settings.psiWarmUp(), settings.psiWindow());
            state.psiEntities = null;
            state.psiRows = 0;
        }
        OnlineLearner l = new OnlineLearner(settings, golden, state);
        l.frozen = frozen;
        l.frozenVersion = frozenVersion;
        l.champion = champion;
        l.championVersion = championVersion;
        l.parent = parent;
        l.parentVersion = parent == null ? -1 : parentVersion;
        for (int i = 0; i < state.memberParams.length; i++) {
            MultiLayerNetwork m = champion.clone();
            m.setParams(Nd4j.create(state.memberParams[i]));
            if (state.memberUpdaterState[i] != null) {
                m.getUpdater().setStateViewArray(m, Nd4j.create(state.memberUpdaterState[i]).reshape(1, -1), false);
            }
            m.getLayerWiseConfigurations().setIterationCount(state.memberIterations[i]); // Adam's bias correction counts steps
            m.getLayerWiseConfigurations().setEpochCount(state.memberEpochs[i]);
            m.setLearningRate(state.learningRates[i] * (state.boostRemaining > 0 ? settings.boostFactor() : 1.0));
            l.members.add(m);
        }
        state.memberParams = null;
        state.memberUpdaterState = null;
        return l;
    }

    // --- what the job reports ---

    public long championVersion() {
        return championVersion;
    }

    /** @return the serving version's network (for the job's bookkeeping and tests; do not train it) */
    MultiLayerNetwork championNetwork() {
        return champion;
    }

    /** @return its parent's network, or null */
    MultiLayerNetwork parentNetwork() {
        return parent;
    }

    public long parentVersion() {
        return parentVersion;
    }

    public long frozenVersion() {
        return frozenVersion;
    }

    public long latestVersion() {
        return state.latestVersion;
    }

    /**
     * Numbers this learner's next publications above {@code version}, without changing which snapshots it adopts: a
     * snapshot newer than the latest it knows (e.g. its own, published after the checkpoint it was restored from) is
     * still adopted. Not checkpointed: the caller sets it on every start and restore.
     *
     * @param version every version that may already have been published
     */
    public void numberVersionsAbove(long version) {
        versionFloor = Math.max(versionFloor, version);
    }

    private long nextVersion() {
        state.latestVersion = Math.max(state.latestVersion, versionFloor) + 1;
        return state.latestVersion;
    }

    public long examples() {
        return state.examples;
    }

    /** @return the event time of the newest example seen, epoch ms; 0 before the first */
    public long maxEventTime() {
        return state.examples == 0 ? 0 : state.maxEventTime;
    }

    /** @return the served model's windowed metrics, the frozen warm start's on the same examples, and counters */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>(state.served.metrics("served."));
        m.putAll(state.frozenWindow.metrics("frozen."));
        m.putAll(state.championWindow.metrics("champion."));
        m.put("snapshots.published", (double) state.published);
        m.put("snapshots.refused", (double) state.refused);
        m.put("rollbacks", (double) state.rolledBack);
        m.put("drifts", (double) state.drifts);
        m.put("examples", (double) state.examples);
        if (state.examples > 0) {
            m.put("event_time.max", (double) state.maxEventTime);
        }
        return m;
    }

    /** @return the current members' learning rates */
    public double[] learningRates() {
        return state.learningRates.clone();
    }
}
