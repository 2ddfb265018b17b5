package io.kingfisher.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What a demo or replay run reports. {@code events_in} counts the valid events produced and {@code bad_in}
 * the malformed ones injected; {@code missing} is valid events with no score, {@code duplicates} scores beyond
 * the first for an event. {@code dlq} counts the dead letters of events; {@code dlq_by_kind} also lists the
 * learning job's (labels that labelled no score, e.g. {@code LABEL_UNMATCHED}). {@code latency_ms} is event-to-score (the event's Kafka timestamp to the moment the
 * scorer computed it); {@code visible_latency_ms} is to when a {@code read_committed} consumer received it,
 * which includes waiting for the exactly-once sink's checkpoint commit. Latency and throughput are measured
 * after the warm-up; the counts cover every event, warm-up included. {@code drain_timed_out} is true when the run
 * stopped waiting (the drain timeout) with events unscored while scores were still arriving: the pipeline was
 * behind (e.g. a backlog built at {@code --rate max}), so {@code missing} counts events not yet scored, not events
 * known to be lost. {@code checkpoints} is how long each task of the scoring job paused for the checkpoints of the
 * measured part ({@link CheckpointPauses}), where the job runs on the local stack; {@code tail} is what the slowest
 * 1% of the measured events overlapped, checkpoints or the JVM's GC pauses ({@link TailCauses}), where both are known.
 */
public record DemoSummary(
        @JsonProperty("domain") String domain,
        @JsonProperty("duration_s") double durationSeconds,
        @JsonProperty("warmup_s") double warmupSeconds,
        @JsonProperty("events_in") long eventsIn,
        @JsonProperty("bad_in") long badIn,
        @JsonProperty("scores_out") long scoresOut,
        @JsonProperty("dlq") long dlq,
        @JsonProperty("duplicates") long duplicates,
        @JsonProperty("missing") long missing,
        @JsonProperty("unexpected") long unexpected,
        @JsonProperty("throughput_eps") double throughputEps,
        @JsonProperty("latency_ms") Latency latencyMs,
        @JsonProperty("visible_latency_ms") Latency visibleLatencyMs,
        @JsonProperty("first_score_after_start_s") double firstScoreAfterStartSeconds,
        @JsonProperty("model_versions") List<Long> modelVersions,
        @JsonProperty("dlq_by_kind") java.util.Map<String, Long> dlqByKind,
        @JsonProperty("drain_timed_out") boolean drainTimedOut,
        @JsonProperty("cpu") @JsonInclude(JsonInclude.Include.NON_NULL) Cpu cpu,
        @JsonProperty("checkpoints") @JsonInclude(JsonInclude.Include.NON_NULL) CheckpointPauses checkpoints,
        @JsonProperty("tail") @JsonInclude(JsonInclude.Include.NON_NULL) TailCauses.Tail tail,
        @JsonIgnore LearningTracker.Learning learning) {

    /** The served scores' prequential metrics on the training examples (null without the learning job). */
    @JsonProperty("prequential")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public LearningTracker.Metrics prequential() {
        return learning == null ? null : learning.prequential();
    }

    /** The frozen warm start's metrics on the same examples. */
    @JsonProperty("frozen")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public LearningTracker.Metrics frozen() {
        return learning == null ? null : learning.frozen();
    }

    /** Event time at which the trainer first reported drift, ISO-8601, or null. */
    @JsonProperty("drift_detected_at")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String driftDetectedAt() {
        return learning == null ? null : learning.driftDetectedAt();
    }

    /** What the trainer first reported as drift (the detector and its numbers), or null. */
    @JsonProperty("drift_reason")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String driftReason() {
        return learning == null ? null : learning.driftReason();
    }

    @JsonProperty("snapshots")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public LearningTracker.Snapshots snapshots() {
        return learning == null ? null : learning.snapshots();
    }

    @JsonProperty("freshness_ms")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public LearningTracker.Freshness freshness() {
        return learning == null ? null : learning.freshness();
    }

    /** Percentiles in milliseconds. */
    public record Latency(@JsonProperty("p50") double p50, @JsonProperty("p99") double p99, @JsonProperty("max") double max) {
    }

    /**
     * CPU time of the measured part, per scored event, by part of the local stack (see {@link ThreadCpu}): steadier
     * than events per second on a shared machine, so a change's cost can be read side by side.
     *
     * @param wallSeconds     the measured part's length
     * @param coresBusy       the process's CPU time over the wall time (the machine's cores bound it)
     * @param events          scores in the measured part, the divisor
     * @param jobUsPerEvent   the parts named {@code job: ...} (the jobs' tasks, producers, RocksDB's background work)
     * @param totalUsPerEvent the whole process: jobs, broker, registry, the demo's feed and consumer, the JVM
     * @param usPerEvent      each part, largest first
     */
    public record Cpu(@JsonProperty("wall_s") double wallSeconds, @JsonProperty("cores_busy") double coresBusy,
                      @JsonProperty("events") long events, @JsonProperty("job_us_per_event") double jobUsPerEvent,
                      @JsonProperty("total_us_per_event") double totalUsPerEvent,
                      @JsonProperty("us_per_event") java.util.Map<String, Double> usPerEvent) {

        /**
         * @param cpuSeconds each part's CPU seconds, in the order to report them ({@link ThreadCpu#between})
         * @return per-event figures, or null without events or time to divide by
         */
        static Cpu of(java.util.Map<String, Double> cpuSeconds, double wallSeconds, long events) {
            if (events <= 0 || wallSeconds <= 0) {
                return null;
            }
            java.util.Map<String, Double> perEvent = new java.util.LinkedHashMap<>();
            double job = 0;
            double total = 0;
            for (java.util.Map.Entry<String, Double> e : cpuSeconds.entrySet()) {
                double us = e.getValue() * 1e6 / events;
                perEvent.put(e.getKey(), us);
                total += us;
                if (e.getKey().startsWith(ThreadCpu.JOB)) {
                    job += us;
                }
            }
            return new Cpu(wallSeconds, total * events / 1e6 / wallSeconds, events, job, total,
                    java.util.Collections.unmodifiableMap(perEvent));
        }

        /** One line: the job's and the whole process's µs per event, then the largest parts. */
        String toText() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "job %.1f µs/event, all %.1f (%.2f cores busy); parts of 2%% or more:", jobUsPerEvent, totalUsPerEvent, coresBusy));
            usPerEvent.entrySet().stream().filter(e -> e.getValue() >= 0.02 * totalUsPerEvent) // the JSON has all
                    .forEach(e -> b.append(String.format(Locale.ROOT, " %s %.1f;", e.getKey(), e.getValue())));
            b.setLength(b.length() - 1);
            return b.toString();
        }
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson() + "\n");
    }

    /** A few lines for people. */
    public String toText() {
        return String.format(Locale.ROOT, """
                ── summary (%s, %.0f s measured after %.0f s warm-up) ──
                events in      %,d valid + %,d malformed
                scores out     %,d   (missing %,d, duplicates %,d, unexpected %,d)
                dead letters   %,d   %s
                throughput     %,.0f events/s
                latency        event→score p50 %.1f ms, p99 %.1f ms; visible to read_committed p50 %.0f ms, p99 %.0f ms
                first score    %.1f s after start
                model versions %s""",
                domain, durationSeconds, warmupSeconds, eventsIn, badIn, scoresOut, missing, duplicates, unexpected, dlq, dlqByKind,
                throughputEps, latencyMs.p50, latencyMs.p99, visibleLatencyMs.p50, visibleLatencyMs.p99,
                firstScoreAfterStartSeconds, modelVersions)
                + (cpu == null ? "" : "\ncpu            " + cpu.toText())
                + (checkpoints == null ? "" : "\ncheckpoints    " + checkpoints.toText())
                + (tail == null ? "" : "\ntail           " + tail.toText())
                + (drainTimedOut ? String.format(Locale.ROOT, "%nnot drained   scores were still arriving when the run stopped waiting: the %,d "
                        + "missing were not yet scored (the pipeline was behind), not known to be lost; a longer "
                        + "--drain-timeout waits for them", missing) : "")
                + (learning == null ? "" : "\n" + learning.toText());
    }
}
