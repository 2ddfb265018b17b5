package io.kingfisher.scoring.flink;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.FloatList;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelFactory;
import io.kingfisher.scoring.ScoringBackend;
import io.kingfisher.scoring.cuda.Backends;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.scoring.snapshot.ModelHolder;
import io.kingfisher.scoring.snapshot.SwapDecision;
import io.kingfisher.scoring.snapshot.SwapDecision.Outcome;
import io.kingfisher.scoring.snapshot.SwapPolicy;
import io.kingfisher.scoring.snapshot.SwapPolicy.LoadResult;
import io.kingfisher.scoring.store.FileSystemModelStore;
import io.kingfisher.scoring.store.ModelStore;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores featured events (input 1) in micro-batches with the model of the newest accepted snapshot
 * from the broadcast snapshot stream (input 2), swapping models between batches.
 *
 * <p><b>Batches.</b> Up to {@code maxBatch} events, or {@code maxDelayMs} after the first event of
 * a batch, whichever comes first, in one {@link Model#scoreBatch} call. The open batch is flushed
 * before every checkpoint barrier and at end of input, so it is never part of a checkpoint. Every
 * score carries the model version and the features exactly as scored.
 *
 * <p><b>Swaps.</b> Which snapshot is accepted is decided by {@link SwapPolicy} (signature,
 * feature-spec hash, checksum, decoding, input width, increasing versions) and tracked by
 * {@link ModelHolder}; this operator only wires them to Flink. A candidate's payload is read and
 * decoded on a single background thread per subtask, so scoring goes on meanwhile; the finished
 * model is handed to the task thread through the mailbox, where the open batch is first scored
 * with the old model and then the new one is swapped in. A refused snapshot changes nothing: one
 * log line (version, outcome, detail) and the {@code snapshotsRefused} counter.
 *
 * <p><b>State</b> (operator state, checkpointed):
 * <ul>
 *   <li>broadcast state {@code model-snapshots}: {@code current}, the snapshot being served, and
 *       {@code pending}, the newest accepted-for-loading snapshot not yet swapped in. On restore a
 *       subtask loads its {@code current} again (synchronously, before it scores) and re-loads
 *       {@code pending} in the background; the snapshot source resumes after them, so they are not
 *       delivered again. The constructor's initial snapshot is used only when the state holds no
 *       {@code current}.</li>
 *   <li>list state {@code held-events}: events waiting for a usable model, in arrival order. Events
 *       are held while there is no model yet, or while the model is older than the maximum age;
 *       they are scored, in order and before any later event, as soon as a usable model is
 *       swapped in. Held events are not bounded: the {@code heldEvents} gauge shows them.</li>
 * </ul>
 *
 * <p><b>Metrics</b>: {@code scores} (counter), {@code batchSize} and
 * {@code eventToScoreLatencyMs} (score time minus the event's Kafka timestamp) histograms,
 * {@code modelVersion} and {@code modelAgeMs} gauges (-1 without a model), {@code modelStale}
 * (1 while the model is older than the maximum age), {@code heldEvents},
 * {@code snapshotsAccepted} (including the model loaded at start) and {@code snapshotsRefused} counters. A
 * snapshot that is the same version as one served or pending, or that a newer one replaced before it was loaded,
 * is neither (logged at debug level).
 *
 * <p><b>Backend</b> ({@code scoring.backend}, {@link Builder#backend}): the {@link ModelFactory} that turns each
 * loaded network into the served model, chosen when the subtask opens ({@link Backends#factory}). It runs inside
 * {@link SwapPolicy#load}, so a GPU backend uploads a new model's weights on the loader thread and the swap at the
 * batch boundary only exchanges models.
 *
 * <p>Input 2 must be broadcast, so every subtask sees every snapshot, in the order published.
 */
public class ScoringOperator extends AbstractStreamOperator<Score>
        implements TwoInputStreamOperator<FeaturedEvent, ModelSnapshot, Score>, ProcessingTimeCallback {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(ScoringOperator.class);

    /** The type of input 2: Avro's serializer, so the state keeps the schema it was written with. */
    public static final TypeInformation<ModelSnapshot> SNAPSHOT_TYPE = new AvroTypeInfo<>(ModelSnapshot.class);

    static final String CURRENT = "current";
    static final String PENDING = "pending";

    private final String domain;
    private final String featureSpecHash;
    private final int featureWidth;
    private final ModelSnapshot initialSnapshot;
    private final String modelStore;
    private final byte[] hmacKey;
    private final int maxBatch;
    private final long maxDelayMs;
    private final long maxModelAgeMs;
    private final ScoringBackend backend;

    private transient SwapPolicy policy;
    private transient ModelFactory models;
    private transient ModelHolder holder;
    private transient ModelStore store;
    private transient MailboxExecutor mailbox;
    private transient ExecutorService loader;
    private transient AtomicReference<LoadResult> loaded;
    private transient volatile boolean closed;

    private transient BroadcastState<String, ModelSnapshot> snapshotState;
    private transient ListState<FeaturedEvent> heldState;
    private transient ModelSnapshot restoredCurrent;
    private transient ModelSnapshot restoredPending;

    private transient FeaturedEvent[] batch;
    private transient int size;
    private transient float[] input;
    private transient double[] scores;
    private transient ScheduledFuture<?> timer;
    private transient ArrayDeque<FeaturedEvent> held;
    private transient boolean stale;

    private transient Counter scored;
    private transient Counter accepted;
    private transient Counter refused;
    private transient Histogram batchSizes;
    private transient Histogram latency;
    private transient volatile long servingVersion;
    private transient volatile long servingCreatedAt;
    private transient volatile int heldCount;
    private transient volatile boolean staleGauge;

    private ScoringOperator(Builder b) {
        this.domain = b.domain;
        this.featureSpecHash = b.featureSpecHash;
        this.featureWidth = b.featureWidth;
        this.initialSnapshot = b.initialSnapshot;
        this.modelStore = b.modelStore;
        this.hmacKey = b.hmacKey;
        this.maxBatch = b.maxBatch;
        this.maxDelayMs = b.maxDelayMs;
        this.maxModelAgeMs = b.maxModelAgeMs;
        this.backend = b.backend;
        // Fail when the job is built, not in a task: the same checks the task would make.
        new SwapPolicy(domain, featureSpecHash, featureWidth, hmacKey, maxModelAgeMs);
    }

    /**
     * @param domain          the domain scored
     * @param featureSpecHash the hash of the feature definitions the events were computed with
     * @param featureWidth    features per event
     * @param modelStore      root URI of the model store that holds the payloads
     * @return a builder; without an initial snapshot, events wait for the first accepted one
     */
    public static Builder builder(String domain, String featureSpecHash, int featureWidth, String modelStore) {
        return new Builder(domain, featureSpecHash, featureWidth, modelStore);
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        snapshotState = context.getOperatorStateStore().getBroadcastState(
                new MapStateDescriptor<>("model-snapshots", Types.STRING, SNAPSHOT_TYPE));
        // Flink's POJO serializer, not the one events arrive with (FeaturedEvents, whose format may change between
        // releases because it is never stored): checkpoints written before that serializer existed keep this state
        heldState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("held-events", TypeInformation.of(FeaturedEvent.class)));
        held = new ArrayDeque<>();
        if (context.isRestored()) {
            restoredCurrent = snapshotState.get(CURRENT);
            restoredPending = snapshotState.get(PENDING);
            for (FeaturedEvent e : heldState.get()) {
                held.add(e);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (mailbox == null) {
            throw new IllegalStateException("no mailbox executor was set: create the operator through an operator factory "
                    + "(DataStream#transform does), so that finished model loads can reach the task thread");
        }
        Nd4jThreads.configure(1); // each slot has its own thread; intra-op threads only contend on small batches
        // scoring.backend, resolved where the task runs: cuda without a usable GPU fails the task here, naming the key
        models = Backends.factory(backend);
        store = new FileSystemModelStore(modelStore);
        policy = new SwapPolicy(domain, featureSpecHash, featureWidth, hmacKey, maxModelAgeMs);
        holder = new ModelHolder(policy, this::report);
        loaded = new AtomicReference<>();
        batch = new FeaturedEvent[maxBatch];
        input = new float[maxBatch * featureWidth];
        scores = new double[maxBatch];
        servingVersion = -1;

        scored = getMetricGroup().counter("scores");
        accepted = getMetricGroup().counter("snapshotsAccepted");
        refused = getMetricGroup().counter("snapshotsRefused");
        batchSizes = getMetricGroup().histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        latency = getMetricGroup().histogram("eventToScoreLatencyMs", new DescriptiveStatisticsHistogram(10_000));
        getMetricGroup().gauge("modelVersion", () -> servingVersion);
        getMetricGroup().gauge("modelAgeMs", () -> servingVersion < 0 ? -1L
                : Math.max(0L, System.currentTimeMillis() - servingCreatedAt));
        getMetricGroup().gauge("modelStale", () -> staleGauge ? 1 : 0);
        getMetricGroup().gauge("heldEvents", () -> heldCount);

        ModelSnapshot start = restoredCurrent != null ? restoredCurrent : initialSnapshot;
        String origin = restoredCurrent != null ? "restored from the checkpoint" : "the initial snapshot";
        if (start != null) {
            loadNow(start, origin);
        }
        if (restoredPending != null) {
            holder.offer(restoredPending);
        }
        restoredCurrent = null;
        restoredPending = null;
        startNextLoad();
        long now = now();
        usable(now);
        drainHeld(now);
        LOG.info("Scoring {} (subtask {}): serving v{}{}, {} held event(s), {}", domain,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), holder.version(),
                holder.model() == null ? "" : " (" + origin + ")", held.size(),
                holder.isLoading() ? "loading v" + holder.newestPending().getVersion() : "no load pending");
    }

    /** Loads a snapshot on the task thread, before scoring starts; a payload that cannot be read fails the task. */
    private void loadNow(ModelSnapshot s, String origin) throws IOException {
        if (holder.offer(s).outcome() != Outcome.CANDIDATE) {
            return;
        }
        ModelSnapshot next = holder.startNextLoad().orElseThrow();
        LoadResult result = policy.load(next, store, maxBatch, models);
        holder.complete(result);
        if (result.readFailure() != null) {
            // Not the snapshot's fault (store unreachable?): fail and let Flink restart the task rather than run without it.
            throw new IOException("cannot read the payload of " + domain + " v" + s.getVersion() + " (" + origin + ")"
                    + " from " + s.getPayloadUri(), result.readFailure());
        }
    }

    @Override
    public void processElement1(StreamRecord<FeaturedEvent> element) throws Exception {
        FeaturedEvent event = element.getValue();
        long now = now();
        if (!held.isEmpty()) {
            drainHeld(now);
        }
        if (!held.isEmpty() || !usable(now)) {
            hold(event);
            return;
        }
        batch[size++] = event;
        if (size >= maxBatch || maxDelayMs == 0) {
            flush(now);
        } else if (size == 1) {
            timer = getProcessingTimeService().registerTimer(now + maxDelayMs, this);
        }
    }

    @Override
    public void processElement2(StreamRecord<ModelSnapshot> element) {
        holder.offer(element.getValue());
        startNextLoad();
    }

    @Override
    public void onProcessingTime(long time) {
        timer = null;
        flush(now());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(now());
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        put(CURRENT, holder.snapshot());
        put(PENDING, holder.newestPending());
        heldState.update(new ArrayList<>(held));
    }

    private void put(String key, ModelSnapshot value) throws Exception {
        if (value == null) {
            snapshotState.remove(key);
        } else {
            snapshotState.put(key, value);
        }
    }

    @Override
    public void finish() throws Exception {
        flush(now());
        if (!held.isEmpty()) {
            throw new IllegalStateException(held.size() + " " + domain + " event(s) are waiting for a usable model (serving v"
                    + holder.version() + (maxModelAgeMs > 0 ? ", max age " + maxModelAgeMs + "ms" : "")
                    + ") and cannot be scored at end of input; refusing to finish rather than drop them");
        }
        super.finish();
    }

    // ---- swapping ----

    private void startNextLoad() {
        holder.startNextLoad().ifPresent(s -> loader().execute(() -> loadInBackground(s)));
    }

    private ExecutorService loader() {
        if (loader == null) {
            String name = "kingfisher-model-loader-" + domain + "-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            loader = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        return loader;
    }

    /** Runs on the loader thread: reads and decodes, then asks the task thread to swap. */
    private void loadInBackground(ModelSnapshot s) {
        LoadResult result;
        try {
            result = policy.load(s, store, maxBatch, models);
        } catch (Throwable t) { // an Error here must not leave the holder waiting for a load forever
            result = LoadResult.refused(s, Outcome.UNDECODABLE, t.toString(), null);
        }
        loaded.set(result);
        try {
            mailbox.execute(this::swapLoaded, "swap in model snapshot %s v%d", domain, s.getVersion());
        } catch (RuntimeException e) { // the mailbox is closed: the task is ending
            LOG.debug("Model {} v{} loaded after the task stopped taking mail; discarded", domain, s.getVersion(), e);
            discardLoaded();
            return;
        }
        if (closed) {
            discardLoaded();
        }
    }

    private void discardLoaded() {
        if (loaded == null) {
            return; // closed before open(): nothing was loaded
        }
        LoadResult r = loaded.getAndSet(null);
        if (r != null) {
            r.discard();
        }
    }

    /** Runs on the task thread between records: the batch boundary. */
    private void swapLoaded() {
        LoadResult result = loaded.getAndSet(null);
        if (result == null) {
            return;
        }
        if (closed) {
            result.discard();
            return;
        }
        long now = now();
        if (result.loaded()) {
            flush(now); // the open batch is scored by the model it was collected for
        }
        holder.complete(result);
        usable(now); // updates the staleness flag and gauge for the model now served
        drainHeld(now);
        startNextLoad();
    }

    private void report(SwapDecision d) {
        switch (d.verdict()) {
            case ACCEPTED -> {
                accepted.inc();
                servingCreatedAt = holder.snapshot().getCreatedAt();
                servingVersion = holder.version();
                LOG.info("{}", d);
            }
            case REFUSED -> {
                refused.inc();
                LOG.warn("{}", d);
            }
            case PENDING -> LOG.info("{}", d);
            case IGNORED -> LOG.debug("{}", d);
        }
    }

    // ---- scoring ----

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    /** @return true if the model may score now; logs when it turns stale. */
    private boolean usable(long now) {
        boolean usable = holder.usable(now);
        boolean staleNow = holder.model() != null && !usable;
        if (staleNow != stale) {
            stale = staleNow;
            staleGauge = staleNow;
            if (staleNow) {
                LOG.warn("Model {} v{} is {} ms old, over the maximum of {} ms: holding events until a fresher snapshot "
                        + "is accepted", domain, holder.version(), SwapPolicy.ageMs(holder.snapshot(), now), maxModelAgeMs);
            }
        }
        return usable;
    }

    private void hold(FeaturedEvent event) {
        holdOpenBatch();
        held.add(event);
        heldCount = held.size();
    }

    /** Moves the open batch to the held events; they come before anything later. */
    private void holdOpenBatch() {
        cancelTimer();
        for (int i = 0; i < size; i++) {
            held.add(batch[i]);
            batch[i] = null;
        }
        size = 0;
        heldCount = held.size();
    }

    /** Scores held events in order, a batch at a time, while a usable model is there. */
    private void drainHeld(long now) {
        while (!held.isEmpty() && usable(now)) {
            if (size != 0) { // every path that holds an event first moves the open batch to the held ones
                throw new IllegalStateException("an open batch of " + size + " events while " + held.size() + " are held");
            }
            while (size < maxBatch && !held.isEmpty()) {
                batch[size++] = held.poll();
            }
            scoreBatch(now);
        }
        heldCount = held.size();
    }

    private void flush(long now) {
        cancelTimer();
        if (size == 0) {
            return;
        }
        if (!usable(now)) {
            holdOpenBatch();
            return;
        }
        scoreBatch(now);
    }

    private void scoreBatch(long now) {
        Model model = holder.model();
        long version = holder.version();
        for (int i = 0; i < size; i++) {
            float[] features = batch[i].features;
            if (features.length != featureWidth) {
                throw new IllegalStateException("event " + batch[i].eventId + " has " + features.length
                        + " features, the " + domain + " scorer expects " + featureWidth);
            }
            System.arraycopy(features, 0, input, i * featureWidth, featureWidth);
        }
        model.scoreBatch(input, size, scores);
        for (int i = 0; i < size; i++) {
            FeaturedEvent e = batch[i];
            output.collect(new StreamRecord<>(toScore(e, scores[i], version, now)));
            latency.update(now - e.ingestTime);
            batch[i] = null;
        }
        scored.inc(size);
        batchSizes.update(size);
        size = 0;
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private Score toScore(FeaturedEvent e, double s, long version, long now) {
        // the all-args constructor: the builder validates and copies every field's default first (a sixth of the
        // scoring thread at full speed); the features as a view of the event's array (nothing else keeps or changes it)
        return new Score(e.eventId, domain, e.entity, e.eventTime, e.ingestTime, now, s, version, featureSpecHash,
                FloatList.over(e.features));
    }

    @Override
    public void close() throws Exception {
        closed = true;
        try {
            if (loader != null) {
                loader.shutdownNow();
                if (!loader.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("The {} model loader did not stop within 5 s; its result will be discarded", domain);
                }
            }
            discardLoaded();
            if (holder != null) {
                holder.close();
            }
        } finally {
            super.close();
        }
    }

    /** Settings of a {@link ScoringOperator}, checked by {@link #build()}. */
    public static final class Builder {
        private final String domain;
        private final String featureSpecHash;
        private final int featureWidth;
        private final String modelStore;
        private ModelSnapshot initialSnapshot;
        private byte[] hmacKey;
        private int maxBatch = 64;
        private long maxDelayMs = 5;
        private long maxModelAgeMs;
        private ScoringBackend backend = ScoringBackend.ND4J;

        private Builder(String domain, String featureSpecHash, int featureWidth, String modelStore) {
            if (modelStore == null || modelStore.isBlank()) {
                throw new IllegalArgumentException("the model store root must not be blank");
            }
            this.domain = domain;
            this.featureSpecHash = featureSpecHash;
            this.featureWidth = featureWidth;
            this.modelStore = modelStore;
        }

        /**
         * @param snapshot the model to start with when the operator has no state, or null to hold
         *     events until the first snapshot is accepted
         * @return this builder
         */
        public Builder initialSnapshot(ModelSnapshot snapshot) {
            this.initialSnapshot = snapshot;
            return this;
        }

        /**
         * @param keyOrNull the shared HMAC key snapshots are signed with; null accepts unsigned ones
         * @return this builder
         */
        public Builder hmacKey(byte[] keyOrNull) {
            this.hmacKey = keyOrNull == null ? null : keyOrNull.clone();
            return this;
        }

        /**
         * @param maxBatch   most events per model call, {@code >= 1} (1 = score each event on its own)
         * @param maxDelayMs longest an event waits for its batch to fill, {@code >= 0}; 0 = never wait
         * @return this builder
         */
        public Builder batching(int maxBatch, long maxDelayMs) {
            if (maxBatch < 1) {
                throw new IllegalArgumentException("scoring.batch_size must be >= 1, was " + maxBatch);
            }
            if (maxDelayMs < 0) {
                throw new IllegalArgumentException("scoring.batch_timeout must be >= 0, was " + maxDelayMs + "ms");
            }
            this.maxBatch = maxBatch;
            this.maxDelayMs = maxDelayMs;
            return this;
        }

        /**
         * @param maxModelAgeMs the oldest a model may be ({@code now - created_at}) to score; older
         *     means events are held until a fresher snapshot is accepted; 0 = no limit
         * @return this builder
         */
        public Builder maxModelAgeMs(long maxModelAgeMs) {
            if (maxModelAgeMs < 0) {
                throw new IllegalArgumentException("scoring.max_model_age must be >= 0, was " + maxModelAgeMs + "ms");
            }
            this.maxModelAgeMs = maxModelAgeMs;
            return this;
        }

        /**
         * @param backend what scores ({@code scoring.backend}): ND4J on the CPU (the default), cuBLAS on the GPU, or
         *                the GPU when usable else ND4J; resolved when each subtask opens, where it runs
         * @return this builder
         */
        public Builder backend(ScoringBackend backend) {
            if (backend == null) {
                throw new IllegalArgumentException(ScoringBackend.SETTING + " must not be null");
            }
            this.backend = backend;
            return this;
        }

        /** @return the operator */
        public ScoringOperator build() {
            return new ScoringOperator(this);
        }
    }
}
