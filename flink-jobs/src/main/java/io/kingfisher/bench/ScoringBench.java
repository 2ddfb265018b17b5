package io.kingfisher.bench;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.Networks;
import io.kingfisher.scoring.Nd4jThreads;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Micro-batched scoring against scoring one event at a time, per built-in domain, side by side in one run on the
 * same model and the same events ({@link BenchModels}: the domain's model trained on simulated events, scoring the
 * simulated events after them).
 *
 * <p><b>Paths.</b> Naive: what a per-event scorer does, {@code network.output(row)} on a fresh {@code [1, width]}
 * array for every event. Batched: {@link Dl4jModel#scoreBatch} (the scorer's path: one preallocated input, reused
 * views and workspaces) on consecutive batches of the events, for each batch size. Both run on this thread with ND4J
 * limited to one thread ({@link Nd4jThreads#configure}), as a scoring subtask does, so events per second are per core.
 * Each path first scores the events once untimed (JIT and workspace warm-up).
 *
 * <p><b>Latency</b> per event: for the naive path the duration of its own call; for the batched path the duration of
 * the {@code scoreBatch} call that scored it (every event of a batch gets its batch's time). That is the compute
 * latency. The wait for a batch to fill is not in it: in the job a batch closes at {@code batch.size} events or
 * {@code batch.timeout} after its first, whichever comes first, so that wait is at most the timeout (and short
 * under load, when batches fill fast).
 *
 * <p>Also reported: events per second of this thread's CPU time ({@code *_eps_cpu}), the same work measured without
 * the time the thread spent descheduled, steadier on a shared machine.
 */
public final class ScoringBench {
    /** JSON key: events/s of the batched path at the primary batch size. */
    public static final String BATCHED_EPS = "batched_eps";
    /** JSON key: events/s of the per-event path. */
    public static final String NAIVE_EPS = "naive_eps";
    /** JSON key: {@value #BATCHED_EPS} / {@value #NAIVE_EPS}. */
    public static final String RATIO = "ratio";
    /** JSON keys: per-event latency of the batched path (primary batch size), ms. */
    public static final String P50_MS = "p50_ms";
    public static final String P99_MS = "p99_ms";
    /** JSON keys: per-event latency of the naive path, ms. */
    public static final String NAIVE_P50_MS = "naive_p50_ms";
    public static final String NAIVE_P99_MS = "naive_p99_ms";
    /** JSON keys: events/s of thread CPU time. */
    public static final String BATCHED_EPS_CPU = "batched_eps_cpu";
    public static final String NAIVE_EPS_CPU = "naive_eps_cpu";
    /** JSON key: the primary batch size (the largest measured). */
    public static final String BATCH_SIZE = "batch_size";
    /** JSON key: per batch size, {@code {"eps", "eps_cpu", "ratio", "p50_ms", "p99_ms"}}. */
    public static final String BATCHES = "batches";
    /** JSON keys: events scored per timed pass, and the model's description. */
    public static final String EVENTS = "events";
    public static final String ARCHITECTURE = "architecture";

    public static final int DEFAULT_TRAIN = 50_000;
    public static final int DEFAULT_EVENTS = 20_000;
    public static final List<Integer> DEFAULT_BATCH_SIZES = List.of(64, 256);
    /** The target: batched at least this many times the per-event path. */
    public static final double TARGET_RATIO = 100;
    /** The batched path repeats its pass over the events until it has run at least this long. */
    private static final long MIN_BATCHED_NANOS = 2_000_000_000L;
    private static final long SEED = 29L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ScoringBench() {
    }

    /**
     * @param train      simulated events to train each domain's model on
     * @param events     held-out events scored by each path
     * @param batchSizes batch sizes of the batched path; the largest is the primary one
     * @return per domain name, the figures under the keys above
     */
    public static Map<String, Map<String, Object>> run(int train, int events, List<Integer> batchSizes) {
        BenchModels.requireAtLeast("--train", train, 1000);
        BenchModels.requireAtLeast("--events", events, 100);
        if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1 || b > 65_536)) {
            throw new IllegalArgumentException("--batch sizes must be in [1, 65536], were " + batchSizes);
        }
        Nd4jThreads.configure(1);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Domain domain : BuiltInDomains.NAMES.stream().map(BuiltInDomains::byName).toList()) {
            BenchModels.Trained t = BenchModels.train(domain, train, events, SEED);
            try {
                out.put(domain.name(), measure(t, batchSizes));
            } finally {
                Networks.release(t.network());
            }
        }
        return out;
    }

    /** Both paths over one trained model's held-out events; leaves the network open. */
    static Map<String, Object> measure(BenchModels.Trained t, List<Integer> batchSizes) {
        MultiLayerNetwork network = t.network();
        Timing naive = naive(network, t);
        int primary = batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Map<String, Object> batches = new LinkedHashMap<>();
        Timing best = null;
        for (int size : batchSizes.stream().sorted().distinct().toList()) {
            Timing b = batched(network, t, size);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eps", b.eps);
            m.put("eps_cpu", b.epsCpu);
            m.put(RATIO, b.eps / naive.eps);
            m.put(P50_MS, b.p50Ms);
            m.put(P99_MS, b.p99Ms);
            batches.put(Integer.toString(size), m);
            if (size == primary) {
                best = b;
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(BATCHED_EPS, best.eps);
        r.put(NAIVE_EPS, naive.eps);
        r.put(RATIO, best.eps / naive.eps);
        r.put(P50_MS, best.p50Ms);
        r.put(P99_MS, best.p99Ms);
        r.put(NAIVE_P50_MS, naive.p50Ms);
        r.put(NAIVE_P99_MS, naive.p99Ms);
        r.put(BATCHED_EPS_CPU, best.epsCpu);
        r.put(NAIVE_EPS_CPU, naive.epsCpu);
        r.put(BATCH_SIZE, primary);
        r.put(BATCHES, batches);
        r.put(EVENTS, t.rows());
        r.put(ARCHITECTURE, io.kingfisher.scoring.Architectures.describe(network));
        return r;
    }

    /** Events per second (wall and CPU) and per-event latency percentiles of one path. */
    record Timing(double eps, double epsCpu, double p50Ms, double p99Ms) {
    }

    /** {@code network.output(row)} on a fresh array per event (both arrays closed after); one untimed pass first. */
    static Timing naive(MultiLayerNetwork network, BenchModels.Trained t) {
        int rows = t.rows();
        long[] nanos = new long[rows];
        double sink = 0;
        for (int pass = 0; pass < 2; pass++) {
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < rows; i++) {
                long s = System.nanoTime();
                INDArray x = Nd4j.create(BenchModels.row(t, i), new long[] {1, t.width()}, 'c');
                INDArray y = network.output(x);
                sink += y.getDouble(0);
                y.close();
                x.close();
                nanos[i] = System.nanoTime() - s;
            }
            if (pass == 1) {
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
                return timing(rows, wall, cpu, nanos, sink);
            }
        }
        throw new AssertionError("unreachable");
    }

    /** {@link Dl4jModel#scoreBatch} over consecutive batches, passes repeated until the run is long enough. */
    static Timing batched(MultiLayerNetwork network, BenchModels.Trained t, int size) {
        int rows = t.rows();
        int width = t.width();
        // Dl4jModel owns (and closes) its network: give it a copy so the naive path and other batch sizes keep theirs.
        try (Dl4jModel model = new Dl4jModel(network.clone(), 1L, size)) {
            double[] scores = new double[size];
            float[] batch = new float[size * width];
            double sink = 0;
            long[] perEvent = new long[rows];
            long[] all = new long[0];
            int passes = 0;
            long wallNanos = 0;
            long cpuNanos = 0;
            for (int pass = 0; ; pass++) {
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int start = 0; start < rows; start += size) {
                    int n = Math.min(size, rows - start);
                    System.arraycopy(t.heldOut(), start * width, batch, 0, n * width);
                    long s = System.nanoTime();
                    model.scoreBatch(batch, n, scores);
                    long d = System.nanoTime() - s;
                    Arrays.fill(perEvent, start, start + n, d);
                    sink += scores[0];
                }
                long wall = System.nanoTime() - t0;
                long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
                if (pass == 0) {
                    continue; // warm-up
                }
                passes++;
                wallNanos += wall;
                cpuNanos += cpu;
                long[] grown = Arrays.copyOf(all, all.length + rows);
                System.arraycopy(perEvent, 0, grown, all.length, rows);
                all = grown;
                if (wallNanos >= MIN_BATCHED_NANOS && passes >= 3) {
                    break;
                }
            }
            return timing((long) rows * passes, wallNanos / 1e9, cpuNanos / 1e9, all, sink);
        }
    }

    private static Timing timing(long events, double wallSeconds, double cpuSeconds, long[] nanos, double sink) {
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("a score was NaN"); // also keeps the scores from being optimised away
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Timing(events / wallSeconds, cpuSeconds > 0 ? events / cpuSeconds : Double.NaN,
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** A table for people, with the target. */
    @SuppressWarnings("unchecked")
    public static String table(Map<String, Map<String, Object>> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %-8s %6s %14s %14s %9s %9s %9s%n",
                "domain", "path", "batch", "events/s/core", "per CPU-s", "p50 ms", "p99 ms", "x naive"));
        results.forEach((domain, r) -> {
            sb.append(String.format(Locale.ROOT, "%-10s %-8s %6d %,14.0f %,14.0f %9.4f %9.4f %9.1f%n", domain, "naive", 1,
                    num(r.get(NAIVE_EPS)), num(r.get(NAIVE_EPS_CPU)), num(r.get(NAIVE_P50_MS)), num(r.get(NAIVE_P99_MS)), 1.0));
            ((Map<String, Map<String, Object>>) r.get(BATCHES)).forEach((size, b) -> sb.append(String.format(Locale.ROOT,
                    "%-10s %-8s %6s %,14.0f %,14.0f %9.4f %9.4f %9.1f%n", "", "batched", size, num(b.get("eps")),
                    num(b.get("eps_cpu")), num(b.get(P50_MS)), num(b.get(P99_MS)), num(b.get(RATIO)))));
        });
        sb.append(String.format(Locale.ROOT, "target: batched >= %.0fx naive; latency = compute time of the call that scored the "
                + "event (batch wait not included)%n", TARGET_RATIO));
        return sb.toString();
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }
}
