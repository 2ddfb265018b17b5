package io.kingfisher.cli;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the slowest events of a run had in common: each measured event is kept as its span from ingestion to score,
 * and the tail (the events at or above the run's p99) is set against the spans of the scoring job's checkpoints
 * (trigger to completion) and of the JVM's garbage-collection pauses. An event whose span overlaps a checkpoint was in
 * flight while some task paused for it; one that overlaps a GC pause waited for the collector. Each share is given
 * for the tail and for all measured events, since a checkpoint twice a second that takes 100 ms overlaps a fifth of
 * all events by chance alone: a cause shows as a tail share well above its share of all events.
 *
 * <p>Events are kept in one packed {@code long} each (ingestion, as milliseconds from the first event recorded, and the
 * latency), 8 bytes per measured event.
 */
public final class TailCauses {
    /** A span of wall-clock time, in milliseconds, both ends included. */
    public record Span(long from, long to) {
        public Span {
            if (to < from) {
                throw new IllegalArgumentException("span ends before it starts: " + from + ".." + to);
            }
        }
    }

    /**
     * @param overMs     the tail's threshold (the run's p99): events whose latency reached it
     * @param events     how many events the tail has
     * @param checkpoint shares of the tail and of all events that overlapped a checkpoint
     * @param checkpointTasks per task of the job (named by its chain of operators), the shares that overlapped a
     *                   checkpoint while that task took no records (see {@link CheckpointPauses#taskSpans})
     * @param gc         ... a GC pause of this JVM
     * @param neither    ... neither
     * @param checkpointTime share of the measured time within a checkpoint
     * @param gcTime     share of the measured time within a GC pause
     */
    public record Tail(@JsonProperty("over_ms") double overMs, @JsonProperty("events") long events,
                @JsonProperty("checkpoint") Share checkpoint,
                @JsonProperty("checkpoint_tasks") Map<String, Share> checkpointTasks, @JsonProperty("gc") Share gc,
                @JsonProperty("neither") Share neither,
                @JsonProperty("checkpoint_time_share") double checkpointTime,
                @JsonProperty("gc_time_share") double gcTime) {

        /** One line for people. */
        String toText() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "the slowest 1%% (%,d events, %.0f ms or more): "
                            + "%s overlapped a checkpoint (of all events %s), %s a GC pause (all %s), %s neither (all %s)",
                    events, overMs, pct(checkpoint.tail), pct(checkpoint.all), pct(gc.tail), pct(gc.all), pct(neither.tail),
                    pct(neither.all)));
            String sep = String.format("%n               while these tasks paused for it: ");
            for (Map.Entry<String, Share> t : checkpointTasks.entrySet()) {
                if (t.getValue().tail >= 0.05) { // the JSON has all
                    b.append(sep).append(String.format(Locale.ROOT, "%s %s (all %s)", firstOperator(t.getKey()),
                            pct(t.getValue().tail), pct(t.getValue().all)));
                    sep = ", ";
                }
            }
            return b.toString();
        }

        private static String firstOperator(String chain) {
            int arrow = chain.indexOf(" -> ");
            return arrow < 0 ? chain : chain.substring(0, arrow);
        }

        private static String pct(double share) {
            return String.format(Locale.ROOT, share < 0.1 ? "%.1f%%" : "%.0f%%", share * 100);
        }
    }

    /** A share (0..1) of the tail's events and of all events. */
    public record Share(@JsonProperty("tail") double tail, @JsonProperty("all") double all) {
    }

    private long origin = Long.MIN_VALUE;
    private long[] packed = new long[1 << 14];
    private int n;

    /** Keeps one measured event: when it was ingested and when it was scored (wall-clock ms). */
    void record(long ingestMillis, long scoreMillis) {
        if (origin == Long.MIN_VALUE) {
            origin = ingestMillis;
        }
        long offset = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, ingestMillis - origin));
        long latency = Math.max(0, Math.min(Integer.MAX_VALUE, scoreMillis - ingestMillis));
        if (n == packed.length) {
            packed = Arrays.copyOf(packed, packed.length * 2);
        }
        packed[n++] = offset << 32 | latency; // offset may be negative: events arrive out of ingestion order
    }

    /**
     * @param checkpoints the checkpoints' spans (trigger to completion), any order
     * @param taskPauses  per task, the spans in which it took no records for a checkpoint, any order
     * @param gcPauses    the GC pauses' spans, any order
     * @return the tail's causes, or null without events
     */
    Tail attribute(List<Span> checkpoints, Map<String, List<Span>> taskPauses, List<Span> gcPauses) {
        if (n == 0) {
            return null;
        }
        long[] latencies = new long[n];
        long firstIngest = Long.MAX_VALUE;
        long lastScore = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            latencies[i] = packed[i] & 0xFFFF_FFFFL;
            long ingest = origin + (packed[i] >> 32);
            firstIngest = Math.min(firstIngest, ingest);
            lastScore = Math.max(lastScore, ingest + latencies[i]);
        }
        Arrays.sort(latencies);
        long over = LatencyRecorder.nearestRank(latencies, 99); // the summary's p99, by the same rule
        Span[] cps = disjoint(checkpoints);
        Span[] gcs = disjoint(gcPauses);
        List<String> names = List.copyOf(taskPauses.keySet());
        Span[][] tasks = new Span[names.size()][];
        for (int k = 0; k < tasks.length; k++) {
            tasks[k] = disjoint(taskPauses.get(names.get(k)));
        }
        long[] tail = new long[4]; // events, checkpoint, gc, neither
        long[] all = new long[4];
        long[][] byTask = new long[tasks.length][2]; // tail, all
        for (int i = 0; i < n; i++) {
            long ingest = origin + (packed[i] >> 32);
            long latency = packed[i] & 0xFFFF_FFFFL;
            long scored = ingest + latency;
            boolean cp = overlaps(cps, ingest, scored);
            boolean gc = overlaps(gcs, ingest, scored);
            boolean slow = latency >= over;
            count(all, cp, gc);
            if (slow) {
                count(tail, cp, gc);
            }
            for (int k = 0; k < tasks.length; k++) {
                if (overlaps(tasks[k], ingest, scored)) {
                    byTask[k][1]++;
                    if (slow) {
                        byTask[k][0]++;
                    }
                }
            }
        }
        Map<String, Share> taskShares = new LinkedHashMap<>();
        for (int k = 0; k < tasks.length; k++) {
            taskShares.put(names.get(k), new Share((double) byTask[k][0] / tail[0], (double) byTask[k][1] / all[0]));
        }
        Span measured = new Span(firstIngest, lastScore);
        return new Tail(over, tail[0], new Share(share(tail, 1), share(all, 1)), Collections.unmodifiableMap(taskShares),
                new Share(share(tail, 2), share(all, 2)), new Share(share(tail, 3), share(all, 3)), covered(cps, measured),
                covered(gcs, measured));
    }

    private static void count(long[] c, boolean checkpoint, boolean gc) {
        c[0]++;
        if (checkpoint) {
            c[1]++;
        }
        if (gc) {
            c[2]++;
        }
        if (!checkpoint && !gc) {
            c[3]++;
        }
    }

    private static double share(long[] c, int i) {
        return c[0] == 0 ? Double.NaN : (double) c[i] / c[0];
    }

    /** The spans sorted by start, overlapping ones merged: then the ends are sorted too. */
    static Span[] disjoint(List<Span> spans) {
        List<Span> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong(Span::from));
        List<Span> merged = new ArrayList<>();
        for (Span s : sorted) {
            Span last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && s.from() <= last.to()) {
                merged.set(merged.size() - 1, new Span(last.from(), Math.max(last.to(), s.to())));
            } else {
                merged.add(s);
            }
        }
        return merged.toArray(Span[]::new);
    }

    /** Whether {@code [from, to]} overlaps any of the disjoint, sorted spans. */
    static boolean overlaps(Span[] spans, long from, long to) {
        int lo = 0;
        int hi = spans.length - 1;
        int last = -1; // the last span starting at or before `to`
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (spans[mid].from() <= to) {
                last = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return last >= 0 && spans[last].to() >= from;
    }

    /** The share of {@code within} that the disjoint spans cover. */
    private static double covered(Span[] spans, Span within) {
        long length = within.to() - within.from();
        if (length <= 0) {
            return Double.NaN;
        }
        long in = 0;
        for (Span s : spans) {
            in += Math.max(0, Math.min(s.to(), within.to()) - Math.max(s.from(), within.from()));
        }
        return (double) in / length;
    }
}
