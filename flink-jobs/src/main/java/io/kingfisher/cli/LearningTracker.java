package io.kingfisher.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.kingfisher.schemas.core.LearningEvent;
import io.kingfisher.schemas.core.LearningEventKind;
import io.kingfisher.schemas.core.TrainingExample;
import io.kingfisher.scoring.Model;
import io.kingfisher.trainer.eval.BinaryMetrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's independent judge of the learning loop. It reads what the system wrote (training examples, the
 * trainer's decisions, the versions on the scores) and scores every example's features, as served, with a frozen
 * copy of the warm-start model, so the served scores and the frozen ones are compared on the same events. Model
 * freshness is measured per label: from the moment the demo produced it to the first score made by a version that
 * had trained on it ({@code trained_through_label_ingest_ms} of each published version).
 *
 * <p>Thread-safe: the demo's consumer thread feeds it, the main thread summarises.
 */
final class LearningTracker {
    private final Model frozen;
    private final long driftAtEventTime;
    private final List<double[]> served = new ArrayList<>();   // {event_time, label, served score}
    private final List<float[]> features = new ArrayList<>();
    private final long[] labelsSent = new long[1 << 20];
    private int labelCount;
    private final TreeMap<Long, Long> trainedThrough = new TreeMap<>(); // version → newest label ingest it trained on
    private final Map<Long, Long> firstScoreAt = new HashMap<>();       // version → first score time
    private final Map<Long, Long> publishedAt = new HashMap<>();        // version → when the trainer published it
    private long lastScoreAt = Long.MIN_VALUE;                           // the newest score seen: the end of observation
    private long published;
    private long refused;
    private long rolledBack;
    private final Map<String, Long> refusalReasons = new HashMap<>();
    private Long driftDetectedAtEventTime;
    private Long driftDetectedAtWall;
    private String driftReason;

    /**
     * @param frozen           the warm-start model, scored in shadow on every example
     * @param driftAtEventTime event time of the simulator's first drift point, or {@code Long.MAX_VALUE} for none
     */
    LearningTracker(Model frozen, long driftAtEventTime) {
        this.frozen = frozen;
        this.driftAtEventTime = driftAtEventTime;
    }

    /** A judge for a running stack: its warm-start model in shadow. */
    static LearningTracker forStack(io.kingfisher.domain.Domain domain, LocalStack running, Map<String, String> overrides,
                                    long driftAtEventTime) throws Exception {
        String key = running.jobConfig(overrides).get(io.kingfisher.jobs.JobSettings.MODEL_HMAC_KEY);
        byte[] hmac = key.isEmpty() ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Model frozen = io.kingfisher.scoring.snapshot.Snapshots.load(running.firstModel(),
                new io.kingfisher.scoring.store.FileSystemModelStore(running.modelStore()), hmac, domain.features().hash());
        return new LearningTracker(frozen, driftAtEventTime);
    }

    /** @return the event time of the simulator's first drift point under {@code driftSpec}, or {@code Long.MAX_VALUE} */
    static long firstDriftAt(io.kingfisher.sim.Simulator simulator, String driftSpec, io.kingfisher.domain.Domain domain) {
        io.kingfisher.sim.DriftSchedule schedule = io.kingfisher.sim.DriftSchedule.parse(driftSpec,
                io.kingfisher.sim.Simulators.builtInDrift(domain.name()));
        if (schedule.isNone() || !(simulator instanceof io.kingfisher.sim.EventTimeSimulator ets)) {
            return Long.MAX_VALUE;
        }
        return ets.start() + schedule.points().get(0).at().toMillis();
    }

    synchronized void labelSent(long wallMillis) {
        if (labelCount < labelsSent.length) {
            labelsSent[labelCount++] = wallMillis;
        }
    }

    synchronized void scored(long version, long scoreTime) {
        firstScoreAt.merge(version, scoreTime, Math::min);
        lastScoreAt = Math.max(lastScoreAt, scoreTime);
    }

    synchronized void example(TrainingExample e) {
        served.add(new double[] {e.getEventTime(), e.getLabel(), e.getScore()});
        float[] x = new float[e.getFeatures().size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = e.getFeatures().get(i);
        }
        features.add(x);
    }

    synchronized void learning(LearningEvent e) {
        LearningEventKind kind = e.getKind();
        if (kind == LearningEventKind.PUBLISHED || kind == LearningEventKind.ROLLED_BACK) {
            Double through = e.getMetrics().get("trained_through_label_ingest_ms");
            if (e.getVersion() != null) {
                trainedThrough.put(e.getVersion(), through == null ? 0L : through.longValue());
                publishedAt.put(e.getVersion(), e.getTime());
            }
            if (kind == LearningEventKind.PUBLISHED) {
                published++;
            } else {
                rolledBack++;
            }
        } else if (kind == LearningEventKind.REFUSED) {
            refused++;
            // Group refusals by the wording of their first failed check (numbers stripped).
            String first = e.getReason().split(";")[0].replaceAll("[0-9.]+", "#").trim();
            refusalReasons.merge(first, 1L, Long::sum);
        } else if (kind == LearningEventKind.DRIFT && driftDetectedAtWall == null) {
            driftDetectedAtWall = e.getTime();
            driftDetectedAtEventTime = e.getEventTime();
            driftReason = e.getReason();
        }
    }

    /** The learning part of the summary. */
    synchronized Learning summary() {
        int n = served.size();
        double[] servedScores = new double[n];
        double[] frozenScores = frozenScores();
        float[] labels = new float[n];
        boolean[] after = new boolean[n];
        int afterCount = 0;
        for (int i = 0; i < n; i++) {
            double[] s = served.get(i);
            labels[i] = (float) s[1];
            servedScores[i] = s[2];
            after[i] = s[0] >= driftAtEventTime;
            afterCount += after[i] ? 1 : 0;
        }
        double[] servedAfter = pick(servedScores, after, afterCount);
        double[] frozenAfter = pick(frozenScores, after, afterCount);
        float[] labelsAfter = pick(labels, after, afterCount);
        Metrics online = new Metrics(auc(servedScores, labels), logLoss(servedScores, labels), auc(servedAfter, labelsAfter),
                n, afterCount, (long) BinaryMetrics.positives(labels));
        Metrics frozenMetrics = new Metrics(auc(frozenScores, labels), logLoss(frozenScores, labels), auc(frozenAfter, labelsAfter),
                n, afterCount, (long) BinaryMetrics.positives(labels));
        return new Learning(online, frozenMetrics,
                driftDetectedAtEventTime == null ? null : Instant.ofEpochMilli(driftDetectedAtEventTime).toString(),
                driftReason, new Snapshots(published, refused, rolledBack, topReasons()), freshness());
    }

    private Map<String, Long> topReasons() {
        Map<String, Long> top = new java.util.LinkedHashMap<>();
        refusalReasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    private Freshness freshness() {
        LatencyRecorder f = new LatencyRecorder();
        LatencyRecorder toPublish = new LatencyRecorder();
        LatencyRecorder toServe = new LatencyRecorder();
        LatencyRecorder steady = new LatencyRecorder();
        // The learner's cold start: until its first version serves, every label waits for that first decision.
        long warmFrom = Long.MAX_VALUE;
        for (Long v : trainedThrough.keySet()) {
            Long at = firstScoreAt.get(v);
            if (at != null) {
                warmFrom = Math.min(warmFrom, at);
            }
        }
        long pending = 0;
        long oldestPending = 0;
        for (int i = 0; i < labelCount; i++) {
            long sent = labelsSent[i];
            Long firstVersion = null;
            for (Map.Entry<Long, Long> v : trainedThrough.entrySet()) {
                if (v.getValue() >= sent) {
                    firstVersion = v.getKey();
                    break;
                }
            }
            Long scoredAt = firstVersion == null ? null : firstScoreAt.get(firstVersion);
            if (scoredAt == null) {
                pending++;
                // Waiting at least this long: no score after lastScoreAt could have shown a model trained on it.
                oldestPending = Math.max(oldestPending, lastScoreAt == Long.MIN_VALUE ? 0 : lastScoreAt - sent);
            } else {
                f.record(scoredAt - sent);
                if (sent >= warmFrom) {
                    steady.record(scoredAt - sent);
                }
                Long published = publishedAt.get(firstVersion);
                if (published != null) {
                    toPublish.record(published - sent);
                    toServe.record(scoredAt - published);
                }
            }
        }
        return new Freshness(f.percentile(50), f.percentile(99), f.count(), pending, oldestPending,
                toPublish.percentile(50), toServe.percentile(50), steady.percentile(50), steady.percentile(99), steady.count());
    }

    private double[] frozenScores() {
        int n = features.size();
        double[] out = new double[n];
        if (n == 0) {
            return out;
        }
        int width = features.get(0).length;
        int batch = 256;
        float[] flat = new float[batch * width];
        double[] scores = new double[batch];
        for (int from = 0; from < n; from += batch) {
            int rows = Math.min(batch, n - from);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(features.get(from + r), 0, flat, r * width, width);
            }
            frozen.scoreBatch(flat, rows, scores);
            System.arraycopy(scores, 0, out, from, rows);
        }
        return out;
    }

    private static double[] pick(double[] a, boolean[] keep, int count) {
        double[] out = new double[count];
        for (int i = 0, k = 0; i < a.length; i++) {
            if (keep[i]) {
                out[k++] = a[i];
            }
        }
        return out;
    }

    private static float[] pick(float[] a, boolean[] keep, int count) {
        float[] out = new float[count];
        for (int i = 0, k = 0; i < a.length; i++) {
            if (keep[i]) {
                out[k++] = a[i];
            }
        }
        return out;
    }

    private static double auc(double[] s, float[] y) {
        return s.length == 0 ? Double.NaN : BinaryMetrics.auc(s, y);
    }

    private static double logLoss(double[] s, float[] y) {
        return s.length == 0 ? Double.NaN : BinaryMetrics.logLoss(s, y);
    }

    /** Prequential metrics of one model over the examples, and over those after the drift. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Metrics(@JsonProperty("auc") double auc, @JsonProperty("logloss") double logLoss,
                   @JsonProperty("auc_after_drift") double aucAfterDrift, @JsonProperty("examples") long examples,
                   @JsonProperty("examples_after_drift") long examplesAfterDrift, @JsonProperty("positives") long positives) {
    }

    /** What the trainer decided. */
    record Snapshots(@JsonProperty("published") long published, @JsonProperty("refused") long refused,
                     @JsonProperty("rolled_back") long rolledBack,
                     @JsonProperty("top_refusal_reasons") Map<String, Long> topRefusalReasons) {
    }

    /**
     * Label arrival → first score by a model that trained on it, over the labels that got there. The percentiles
     * leave out the labels no serving model had trained on by the end ({@code pending}): {@code oldestPending} is
     * how long the longest-waiting of them had waited by the last score seen (0 when none), a lower bound on its
     * freshness; when it is above the p99, the p99 flatters the run. The {@code steady_*} figures are over the
     * labels sent once a version the trainer published was serving: they leave out the learner's cold start, when
     * every label waits for the first decision (the gate's least number of examples, which may need label windows
     * to close), and show what a learner that has been running for a while delivers.
     */
    record Freshness(@JsonProperty("p50") double p50, @JsonProperty("p99") double p99, @JsonProperty("labels") long labels,
                     @JsonProperty("labels_not_yet_served") long pending,
                     @JsonProperty("oldest_not_yet_served") double oldestPending,
                     @JsonProperty("label_to_published_p50") double toPublishedP50,
                     @JsonProperty("published_to_serving_p50") double publishedToServingP50,
                     @JsonProperty("steady_p50") double steadyP50, @JsonProperty("steady_p99") double steadyP99,
                     @JsonProperty("steady_labels") long steadyLabels) {
    }

    /** The learning loop's part of a demo summary. */
    record Learning(@JsonProperty("prequential") Metrics prequential, @JsonProperty("frozen") Metrics frozen,
                    @JsonProperty("drift_detected_at") String driftDetectedAt,
                    @JsonProperty("drift_reason") String driftReason,
                    @JsonProperty("snapshots") Snapshots snapshots, @JsonProperty("freshness_ms") Freshness freshness) {
        String toText() {
            return String.format(java.util.Locale.ROOT, """
                    learning       %,d examples (%,d after the drift); AUC online %.3f vs frozen %.3f; after the drift online %.3f vs frozen %.3f
                    snapshots      %,d published, %,d refused by the gate %s, %,d rolled back; drift detected %s
                    freshness      label → serving model p50 %.0f ms, p99 %.0f ms (%,d labels; %,d not yet in a serving model, waiting up to %.1f s); p50 label → published %.0f ms, published → serving %.0f ms; once a published version served: p50 %.0f ms, p99 %.0f ms (%,d labels)""",
                    prequential.examples, prequential.examplesAfterDrift, prequential.auc, frozen.auc,
                    prequential.aucAfterDrift, frozen.aucAfterDrift, snapshots.published, snapshots.refused,
                    snapshots.topRefusalReasons, snapshots.rolledBack,
                    driftDetectedAt == null ? "never" : "at " + driftDetectedAt + " (" + driftReason + ")",
                    freshness.p50, freshness.p99, freshness.labels, freshness.pending, freshness.oldestPending / 1000.0,
                    freshness.toPublishedP50,
                    freshness.publishedToServingP50, freshness.steadyP50, freshness.steadyP99, freshness.steadyLabels)
                    + nothingPublished();
        }

        /** Why the warm start served the whole run, when it did: a new user's first demo often ends that way. */
        private String nothingPublished() {
            if (snapshots.published > 0) {
                return "";
            }
            String why = snapshots.refused > 0
                    ? "the gate refused every candidate (" + snapshots.refused + "; the reasons are above)"
                    : "the learner had not yet seen the examples the gate asks for before its first decision";
            return "\n               no new version was published, " + why + ", so the warm start served the whole run."
                    + " Runs at natural pace hold few labels and no drift; --time-scale and --drift bring both into the"
                    + " run: see the README's drift demos.";
        }
    }
}
