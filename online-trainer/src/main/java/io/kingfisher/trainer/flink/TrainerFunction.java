package io.kingfisher.trainer.flink;

import io.kingfisher.schemas.core.LearningEvent;
import io.kingfisher.schemas.core.LearningEventKind;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.snapshot.PayloadFormat;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import io.kingfisher.trainer.GoldenSet;
import io.kingfisher.trainer.TrainerConfig;
import io.kingfisher.trainer.VersionBlocks;
import io.kingfisher.trainer.online.Example;
import io.kingfisher.trainer.online.LearnerSettings;
import io.kingfisher.trainer.online.LearningDecision;
import io.kingfisher.trainer.online.OnlineLearner;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The online trainer of one domain, in Flink: training examples in (input 1), the domain's published snapshots in
 * (input 2, to start from the warm start and to follow snapshots published elsewhere), snapshots it publishes out,
 * and every decision on {@link #EVENTS}. Thin: the learning is {@link OnlineLearner}; this operator loads and
 * stores models, signs snapshots, keeps the learner in checkpoints and fires the publication cadence on a timer.
 *
 * <p>Run with parallelism 1, both inputs keyed by a constant (one model per domain). The learner's state and the
 * snapshots of the champion, its parent and the warm start are in operator state, so after a restore the trainer
 * continues from the checkpoint and every example after it is trained on once.
 *
 * <p>Its snapshots may go out through an at-least-once sink, visible before the checkpoint that covers them: a
 * restored trainer numbers its publications above every version reserved in the store ({@link VersionBlocks}), so no
 * version is ever published twice, and it adopts its own pre-failure publications when they come back on input 2
 * before it publishes again.
 */
public class TrainerFunction extends KeyedCoProcessFunction<Integer, Example, ModelSnapshot, ModelSnapshot>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainerFunction.class);

    /** The trainer's decisions: published, refused, rolled back, drift, tuned, adopted. */
    public static final OutputTag<LearningEvent> EVENTS = new OutputTag<>("learning-events") {
    };
    /** Trainer-config key naming the golden set attachment in the model store. */
    public static final String GOLDEN_SET = "golden_set";
    /** Examples held while no model has arrived yet; more are counted and dropped. */
    private static final int MAX_WAITING = 200_000;

    private final String domain;
    private final String featureSpecHash;
    private final String modelStore;
    private final byte[] hmacKey;
    private final LearnerSettings settings;
    private final PayloadFormat payloadFormat;

    private transient OnlineLearner learner;
    private transient Models models;
    private transient List<Example> waiting;
    private transient ListState<byte[]> checkpointed;
    private transient FileSystemModelStore store;
    private transient VersionBlocks versionBlocks;
    private transient Counter examples;
    private transient Counter published;
    private transient Counter refused;
    private transient Counter rolledBack;
    private transient Counter drifts;
    private transient Counter dropped;
    private transient long nextTimer;
    private transient long newestLabelIngest;

    /** The published snapshots the learner's networks came from: reloaded from the store on a restore. */
    private static final class Models implements Serializable {
        private static final long serialVersionUID = 1L;
        ModelSnapshot frozen;
        ModelSnapshot champion;
        ModelSnapshot parent;
        String goldenSet;
    }

    /**
     * @param hmacKey key that verifies incoming and signs outgoing snapshots, or null for unsigned
     */
    public TrainerFunction(String domain, String featureSpecHash, String modelStore, byte[] hmacKey, LearnerSettings settings) {
        this(domain, featureSpecHash, modelStore, hmacKey, settings, PayloadFormat.FLOAT);
    }

    /**
     * @param hmacKey       key that verifies incoming and signs outgoing snapshots, or null for unsigned
     * @param payloadFormat the format of the payloads it publishes: {@link PayloadFormat#INT8} serves 2–3 times
     *                      smaller payloads; the learner itself keeps training in float either way
     */
    public TrainerFunction(String domain, String featureSpecHash, String modelStore, byte[] hmacKey, LearnerSettings settings,
                           PayloadFormat payloadFormat) {
        if (payloadFormat == null) {
            throw new IllegalArgumentException("payloadFormat must not be null");
        }
        this.payloadFormat = payloadFormat;
        this.domain = domain;
        this.featureSpecHash = featureSpecHash;
        this.modelStore = modelStore;
        this.hmacKey = hmacKey == null ? null : hmacKey.clone();
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        var g = getRuntimeContext().getMetricGroup();
        examples = g.counter("examplesTrained");
        published = g.counter("snapshotsPublished");
        refused = g.counter("snapshotsRefused");
        rolledBack = g.counter("rollbacks");
        drifts = g.counter("driftsDetected");
        dropped = g.counter("examplesDroppedBeforeFirstModel");
        g.gauge("championVersion", () -> learner == null ? -1L : learner.championVersion());
        g.gauge("servedAuc", () -> learner == null ? Double.NaN : learner.metrics().getOrDefault("served.auc", Double.NaN));
        g.gauge("frozenAuc", () -> learner == null ? Double.NaN : learner.metrics().getOrDefault("frozen.auc", Double.NaN));
    }

    @Override
    public void processElement1(Example e, Context ctx, Collector<ModelSnapshot> out) throws Exception {
        if (e.fromLabelRecord()) {
            newestLabelIngest = Math.max(newestLabelIngest, e.labelIngestTime());
        }
        if (learner == null) {
            if (waiting.size() < MAX_WAITING) {
                waiting.add(e);
            } else {
                dropped.inc();
            }
            return;
        }
        examples.inc();
        long now = ctx.timerService().currentProcessingTime();
        handle(learner.learn(e, now), ctx, out);
        scheduleTick(ctx, now);
    }

    @Override
    public void processElement2(ModelSnapshot s, Context ctx, Collector<ModelSnapshot> out) throws Exception {
        if (!domain.equals(s.getDomain())) {
            return;
        }
        if (learner != null && s.getVersion() <= learner.latestVersion()) {
            return; // our own publication coming back, or an older one
        }
        MultiLayerNetwork network;
        try {
            network = Snapshots.loadNetwork(s, store, hmacKey, featureSpecHash);
        } catch (IOException ex) {
            LOG.warn("Trainer of {} ignores snapshot v{}: {}", domain, s.getVersion(), ex.getMessage());
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        if (learner == null) {
            start(s, network);
            emit(ctx, now, LearningEventKind.ADOPTED, s.getVersion(), s.getParentVersion(),
                    "fine-tuning starts from v" + s.getVersion() + " (" + s.getArchitecture() + ")", Map.of());
            List<Example> replay = waiting;
            waiting = new ArrayList<>();
            for (Example e : replay) {
                examples.inc();
                handle(learner.learn(e, now), ctx, out);
            }
            scheduleTick(ctx, now);
            return;
        }
        LearningDecision d = learner.adopt(network, s.getVersion());
        if (d != null) {
            models.parent = models.champion;
            models.champion = s;
            handle(List.of(d), ctx, out);
        }
    }

    private void start(ModelSnapshot s, MultiLayerNetwork network) throws IOException {
        String goldenName = s.getTrainerConfig().get(GOLDEN_SET);
        GoldenSet golden = null;
        if (goldenName != null) {
            byte[] bytes = store.getAttachment(domain, goldenName);
            if (bytes == null) {
                LOG.warn("Golden set {} of {} named by v{} is not in the store: gating without it", goldenName, domain, s.getVersion());
            } else {
                golden = GoldenSet.decode(bytes);
            }
        }
        if (!PayloadFormat.ofId(s.getPayloadFormat()).carriesUpdaterState()) {
            LOG.info("Trainer of {} starts from v{}, a {} payload without optimizer state: its updater starts afresh",
                    domain, s.getVersion(), s.getPayloadFormat());
        }
        double lr = Double.parseDouble(s.getTrainerConfig().getOrDefault(TrainerConfig.LEARNING_RATE, "0.001"));
        learner = new OnlineLearner(settings, network, s.getVersion(), golden, lr);
        learner.numberVersionsAbove(versionBlocks.lastReserved(s.getVersion()));
        models = new Models();
        models.frozen = s;
        models.champion = s;
        models.goldenSet = goldenName;
        LOG.info("Trainer of {} starts from v{} ({} golden rows, base learning rate {})", domain, s.getVersion(),
                golden == null ? 0 : golden.x().length, lr);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ModelSnapshot> out) throws Exception {
        nextTimer = 0;
        if (learner != null) {
            handle(learner.tick(timestamp), ctx, out);
            scheduleTick(ctx, timestamp);
        }
    }

    private void scheduleTick(Context ctx, long now) {
        if (nextTimer == 0) {
            nextTimer = now + settings.publishEveryMillis();
            ctx.timerService().registerProcessingTimeTimer(nextTimer);
        }
    }

    private void handle(List<LearningDecision> decisions, Context ctx, Collector<ModelSnapshot> out) throws IOException {
        long now = ctx.timerService().currentProcessingTime();
        for (LearningDecision d : decisions) {
            if (d instanceof LearningDecision.Publish p) {
                versionBlocks.reserve(p.version());
                ModelSnapshot s = snapshot(p.version(), p.parentVersion(), p.network(), p.config(), p.metrics(), now);
                models.parent = models.champion;
                models.champion = s;
                published.inc();
                out.collect(s);
                Double through = p.metrics().get("trained_through_label_ingest_ms");
                LOG.info("Trainer of {} published v{}: trained on labels up to {} ms old, newest label received {} ms ago",
                        domain, p.version(), through == null || through <= 0 ? "-" : String.valueOf(now - through.longValue()),
                        newestLabelIngest == 0 ? "-" : String.valueOf(now - newestLabelIngest));
                emit(ctx, now, LearningEventKind.PUBLISHED, p.version(), p.parentVersion(), p.reason(), p.metrics());
            } else if (d instanceof LearningDecision.RollBack r) {
                Map<String, String> config = new LinkedHashMap<>();
                config.put("source", "rollback");
                config.put("rollback_of", String.valueOf(r.restoredVersion()));
                versionBlocks.reserve(r.version());
                ModelSnapshot s = snapshot(r.version(), r.restoredVersion(), r.network(), config, r.metrics(), now);
                models.champion = s;
                models.parent = null;
                rolledBack.inc();
                out.collect(s);
                emit(ctx, now, LearningEventKind.ROLLED_BACK, r.version(), r.restoredVersion(), r.reason(), r.metrics());
                LOG.warn("Trainer of {} rolled back to the network of v{} as v{}: {}", domain, r.restoredVersion(), r.version(), r.reason());
            } else if (d instanceof LearningDecision.Refuse r) {
                refused.inc();
                emit(ctx, now, LearningEventKind.REFUSED, null, null, r.reason(), r.metrics());
            } else if (d instanceof LearningDecision.Drift r) {
                drifts.inc();
                emit(ctx, now, LearningEventKind.DRIFT, null, null, r.detector() + ": " + r.reason(), r.metrics());
                LOG.info("Trainer of {} detected drift: {}", domain, r.reason());
            } else if (d instanceof LearningDecision.Tuned r) {
                emit(ctx, now, LearningEventKind.TUNED, null, null, r.reason(), r.metrics());
            } else if (d instanceof LearningDecision.Adopted a) {
                emit(ctx, now, LearningEventKind.ADOPTED, a.version(), null, a.reason(), a.metrics());
            }
        }
    }

    private ModelSnapshot snapshot(long version, long parentVersion, MultiLayerNetwork network, Map<String, String> config,
                                   Map<String, Double> metrics, long now) throws IOException {
        byte[] payload = payloadFormat.encode(network);
        URI uri = store.putContentAddressed(domain, version, payload);
        Map<String, String> trainerConfig = new LinkedHashMap<>(config);
        if (models.goldenSet != null) {
            trainerConfig.put(GOLDEN_SET, models.goldenSet);
        }
        Map<String, Double> finite = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                finite.put(k, v);
            }
        });
        return Snapshots.builder(domain, version)
                .parentVersion(parentVersion < 0 ? null : parentVersion)
                .createdAt(now)
                .featureSpecHash(featureSpecHash)
                .architecture(Architectures.describe(network))
                .trainerConfig(trainerConfig)
                .metrics(finite)
                .payloadFormat(payloadFormat.id())
                .payload(uri, payload)
                .build(hmacKey);
    }

    private void emit(Context ctx, long now, LearningEventKind kind, Long version, Long parent, String reason,
                      Map<String, Double> metrics) {
        Map<String, Double> m = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                m.put(k, v);
            }
        });
        long eventTime = learner == null ? 0 : learner.maxEventTime();
        ctx.output(EVENTS, LearningEvent.newBuilder()
                .setDomain(domain)
                .setTime(now)
                .setEventTime(eventTime)
                .setKind(kind)
                .setVersion(version)
                .setParentVersion(parent)
                .setReason(reason)
                .setMetrics(m)
                .build());
    }

    // --- checkpoints ---

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        long t0 = System.nanoTime();
        checkpointed.clear();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(models);
            out.writeObject(learner == null ? null : learner.checkpoint());
            out.writeObject(new ArrayList<>(waiting));
        }
        checkpointed.add(bytes.toByteArray());
        LOG.debug("Trainer of {}: checkpoint {} took {} ms for {} bytes", domain, context.getCheckpointId(),
                (System.nanoTime() - t0) / 1_000_000, bytes.size());
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        store = new FileSystemModelStore(modelStore);
        versionBlocks = new VersionBlocks(store, domain);
        waiting = new ArrayList<>();
        checkpointed = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("online-learner", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        if (!context.isRestored()) {
            return;
        }
        for (byte[] b : checkpointed.get()) {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
                Models m = (Models) in.readObject();
                byte[] st = (byte[]) in.readObject();
                @SuppressWarnings("unchecked")
                List<Example> w = (List<Example>) in.readObject();
                waiting.addAll(w);
                if (m != null && st != null) {
                    restore(m, st);
                }
            }
        }
    }

    private void restore(Models m, byte[] st) throws IOException {
        GoldenSet golden = null;
        if (m.goldenSet != null) {
            byte[] bytes = store.getAttachment(domain, m.goldenSet);
            golden = bytes == null ? null : GoldenSet.decode(bytes);
        }
        MultiLayerNetwork frozen = Snapshots.loadNetwork(m.frozen, store, hmacKey, featureSpecHash);
        MultiLayerNetwork champion = Snapshots.loadNetwork(m.champion, store, hmacKey, featureSpecHash);
        MultiLayerNetwork parent = m.parent == null ? null : Snapshots.loadNetwork(m.parent, store, hmacKey, featureSpecHash);
        learner = OnlineLearner.restore(settings, golden, st, frozen, m.frozen.getVersion(), champion, m.champion.getVersion(),
                parent, m.parent == null ? -1 : m.parent.getVersion());
        learner.numberVersionsAbove(versionBlocks.lastReserved(learner.latestVersion()));
        models = m;
        LOG.info("Trainer of {} restored: champion v{}, {} examples trained", domain, m.champion.getVersion(), learner.examples());
    }
}
