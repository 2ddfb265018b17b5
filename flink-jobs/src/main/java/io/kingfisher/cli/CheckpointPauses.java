package io.kingfisher.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long each task of a running job spent on the checkpoints of a time span, from Flink's checkpoint statistics
 * (its REST API: {@code /jobs/<id>/checkpoints} and the per-subtask details of each completed checkpoint).
 *
 * <p>A task's synchronous part runs on its own thread, which takes no records meanwhile: with aligned checkpoints
 * every record behind it waits, so the synchronous parts are pauses of the pipeline (e.g. RocksDB flushing its
 * memtable, see {@code state.changelog}). The asynchronous part runs beside the task. Alignment is how long a task
 * with several inputs held back the inputs whose barrier came first; start delay is how long the barrier took to
 * reach the task after the checkpoint was triggered (records queued ahead of it).
 *
 * @param checkpoints    completed checkpoints triggered within the span
 * @param endToEndMs     their end-to-end durations (trigger to the last acknowledgement): p50, p99, max
 * @param tasks          per task (named by its chain of operators), over its subtasks and those checkpoints
 * @param spans          in time order, each of those checkpoints from its trigger to its completion (the last acknowledgement),
 *                       wall-clock; not in the JSON ({@link TailCauses} sets events against them)
 * @param taskSpans      per task, in time order, when its subtasks took no records for those checkpoints: from the
 *                       arrival of the last barrier (the end of alignment) to the end of the synchronous part, so the
 *                       operators' work before the barrier (e.g. sinks' flushes) and the synchronous part, over all
 *                       its subtasks; not in the JSON
 */
public record CheckpointPauses(@JsonProperty("checkpoints") int checkpoints,
                               @JsonProperty("end_to_end_ms") DemoSummary.Latency endToEndMs,
                               @JsonProperty("tasks") List<Task> tasks,
                               @JsonIgnore List<TailCauses.Span> spans,
                               @JsonIgnore Map<String, List<TailCauses.Span>> taskSpans) {

    /**
     * @param syncMs      the synchronous part (a pause of the task): p50, p99, max
     * @param asyncMs     the asynchronous part: p50, p99, max
     * @param alignmentMs barrier alignment: p50, p99, max
     * @param startDelayMs the barrier's way to the task: p50, p99, max
     */
    public record Task(@JsonProperty("task") String name,
                       @JsonProperty("sync_ms") DemoSummary.Latency syncMs,
                       @JsonProperty("async_ms") DemoSummary.Latency asyncMs,
                       @JsonProperty("alignment_ms") DemoSummary.Latency alignmentMs,
                       @JsonProperty("start_delay_ms") DemoSummary.Latency startDelayMs) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads the statistics of job {@code jobId} from the Flink REST endpoint at {@code restUrl}.
     *
     * @param fromMillis only checkpoints triggered at or after this wall-clock time
     * @param toMillis   ... and before this one
     * @return the pauses; {@code checkpoints} is 0 when none completed in the span (the history the endpoint keeps,
     *     {@code web.checkpoints.history}, bounds how far back it reaches)
     * @throws IOException when the endpoint cannot be read or answers with something other than statistics
     */
    public static CheckpointPauses fetch(String restUrl, String jobId, long fromMillis, long toMillis) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = restUrl.replaceAll("/+$", "") + "/jobs/" + jobId;
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode v : get(http, base).path("vertices")) {
            names.put(v.path("id").asText(), v.path("name").asText());
        }
        LatencyRecorder endToEnd = new LatencyRecorder();
        Map<String, LatencyRecorder[]> byTask = new LinkedHashMap<>();
        List<TailCauses.Span> spans = new ArrayList<>();
        Map<String, List<TailCauses.Span>> taskSpans = new LinkedHashMap<>();
        for (JsonNode h : get(http, base + "/checkpoints").path("history")) {
            long trigger = h.path("trigger_timestamp").asLong();
            if (!"COMPLETED".equals(h.path("status").asText()) || trigger < fromMillis || trigger >= toMillis) {
                continue;
            }
            long duration = h.path("end_to_end_duration").asLong();
            endToEnd.record(duration);
            spans.add(new TailCauses.Span(trigger, trigger + duration));
            String id = h.path("id").asText();
            JsonNode tasks = get(http, base + "/checkpoints/details/" + id).path("tasks");
            for (var it = tasks.fieldNames(); it.hasNext(); ) {
                String vertex = it.next();
                JsonNode subtasks = get(http, base + "/checkpoints/details/" + id + "/subtasks/" + vertex).path("subtasks");
                for (JsonNode s : subtasks) {
                    if (!"completed".equals(s.path("status").asText())) {
                        continue;
                    }
                    String name = names.getOrDefault(vertex, vertex);
                    long async = s.path("checkpoint").path("async").asLong();
                    // the last barrier's arrival: before it, a task with several inputs still takes records on the
                    // inputs whose barrier has not come (alignment holds back only the others)
                    long barrier = trigger + s.path("start_delay").asLong() + s.path("alignment").path("duration").asLong();
                    long syncEnd = trigger + s.path("end_to_end_duration").asLong() - async; // acknowledged after the async part
                    taskSpans.computeIfAbsent(name, k -> new ArrayList<>()).add(new TailCauses.Span(barrier, Math.max(barrier, syncEnd)));
                    LatencyRecorder[] parts = byTask.computeIfAbsent(name,
                            k -> new LatencyRecorder[]{new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder(),
                                    new LatencyRecorder()});
                    parts[0].record(s.path("checkpoint").path("sync").asLong());
                    parts[1].record(async);
                    parts[2].record(s.path("alignment").path("duration").asLong());
                    parts[3].record(s.path("start_delay").asLong());
                }
            }
        }
        Comparator<TailCauses.Span> byTime = Comparator.comparingLong(TailCauses.Span::from);
        spans.sort(byTime); // the history lists the latest first
        taskSpans.values().forEach(l -> l.sort(byTime));
        List<Task> tasks = new ArrayList<>();
        byTask.forEach((name, p) -> tasks.add(new Task(name, percentiles(p[0]), percentiles(p[1]), percentiles(p[2]),
                percentiles(p[3]))));
        return new CheckpointPauses(endToEnd.count(), percentiles(endToEnd), List.copyOf(tasks), List.copyOf(spans),
                Collections.unmodifiableMap(taskSpans));
    }

    /** p50, p99 and max; NaN for none. */
    private static DemoSummary.Latency percentiles(LatencyRecorder r) {
        return new DemoSummary.Latency(r.percentile(50), r.percentile(99), r.percentile(100));
    }

    private static JsonNode get(HttpClient http, String url) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading " + url, e);
        }
        if (r.statusCode() != 200) {
            throw new IOException("Flink REST " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Lines for people: one per task whose synchronous part reached 5 ms, largest median first (the JSON has all). */
    String toText() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%d in the measured run, end to end p50 %.0f ms, max %.0f ms; synchronous part (the task takes no records) p50 / max:",
                checkpoints, endToEndMs.p50(), endToEndMs.max()));
        tasks.stream().filter(t -> t.syncMs.max() >= 5).sorted((a, c) -> Double.compare(c.syncMs.p50(), a.syncMs.p50()))
                .forEach(t -> b.append(String.format(Locale.ROOT, "%n               %.0f / %.0f ms  %s", t.syncMs.p50(),
                        t.syncMs.max(), t.name.length() > 60 ? t.name.substring(0, 57) + "..." : t.name)));
        return b.toString();
    }
}
