package io.kingfisher.bench;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelFactory;
import io.kingfisher.scoring.Networks;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.scoring.ScoringBackend;
import io.kingfisher.scoring.cuda.BackendUnavailableException;
import io.kingfisher.scoring.cuda.Backends;
import io.kingfisher.scoring.cuda.CublasModel;
import io.kingfisher.scoring.cuda.CudaAvailability;
import io.kingfisher.scoring.reference.ReferenceModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench scoring --backend cuda}: the cuBLAS backend ({@code CublasModel}) beside ND4J on the CPU
 * ({@link Dl4jModel}, one thread, as a scoring subtask runs it), per built-in domain and batch size, on the same trained
 * model and the same events ({@link BenchModels}).
 *
 * <p>Both are timed through {@link Model#scoreBatch} from the caller's {@code float[]} to its {@code double[]}: for
 * the GPU that includes the copy into pinned memory, the host-to-device and device-to-host copies and the wait for the
 * stream. Events are the held-out events repeated to at least the largest batch. Each (backend, batch size) first
 * scores untimed batches (JIT, cuBLAS heuristics, ND4J workspaces), then consecutive batches for at least
 * {@link #MIN_NANOS} and {@link #MIN_BATCHES} batches. Latency is per batch call. {@code max_abs_diff} is the largest
 * difference between the two backends' scores over the first {@code diff_events} events.
 */
public final class CudaScoringBench {
    public static final List<Integer> DEFAULT_BATCH_SIZES = List.of(1, 64, 256, 4096, 65_536);
    /** JSON keys, per batch size. */
    public static final String CUDA_EPS = "cuda_eps";
    public static final String CUDA_P50_MS = "cuda_p50_ms";
    public static final String CUDA_P99_MS = "cuda_p99_ms";
    /** The cuBLAS backend with its CUDA graphs off: each batch issued operation by operation. */
    public static final String CUDA_DIRECT_EPS = "cuda_direct_eps";
    public static final String CUDA_DIRECT_P50_MS = "cuda_direct_p50_ms";
    /** cuda_eps / cuda_direct_eps: what replaying a captured graph per batch gains. */
    public static final String GRAPH_SPEEDUP = "graph_speedup";
    /** Whether the timed cuda model replayed graphs (false if a capture failed; the log says why). */
    public static final String CUDA_GRAPHS = "cuda_graphs";
    public static final String ND4J_EPS = "nd4j_eps";
    public static final String ND4J_P50_MS = "nd4j_p50_ms";
    public static final String ND4J_P99_MS = "nd4j_p99_ms";
    public static final String SPEEDUP = "speedup";
    public static final String MAX_ABS_DIFF = "max_abs_diff";
    public static final String DIFF_EVENTS = "diff_events";
    /** JSON keys, per domain. */
    public static final String ARCHITECTURE = "architecture";
    public static final String EVENTS = "events";
    public static final String DEVICE = "device";
    public static final String BATCHES = "batches";

    static final long MIN_NANOS = 2_000_000_000L;
    static final int MIN_BATCHES = 3;
    private static final long WARMUP_NANOS = 300_000_000L;
    private static final int DIFF_MIN_EVENTS = 2048;
    private static final long SEED = 29L;

    /** The dry run's stand-in for the GPU: the plain-Java reference forward pass. */
    static final ModelFactory REFERENCE = (net, version, capacity) -> {
        ReferenceModel m = new ReferenceModel(net, version);
        Networks.release(net);
        return m;
    };

    private CudaScoringBench() {
    }

    /**
     * @return the GPU this bench would use
     * @throws BackendUnavailableException naming what is missing, when no GPU is usable
     */
    public static CudaAvailability requireGpu() {
        CudaAvailability gpu = CudaAvailability.probe();
        if (!gpu.usable()) {
            throw new BackendUnavailableException(ScoringBackend.CUDA,
                    "bench scoring --backend cuda needs a usable GPU: " + gpu.missing());
        }
        return gpu;
    }

    /**
     * @param train      simulated events to train each domain's model on
     * @param events     held-out events per domain (repeated up to the largest batch)
     * @param batchSizes batch sizes, each in [1, 65536]
     * @return per domain name, the figures under the keys above
     * @throws BackendUnavailableException without a usable GPU, before any training
     */
    public static Map<String, Map<String, Object>> run(int train, int events, List<Integer> batchSizes) {
        return run(train, events, batchSizes, false);
    }

    /**
     * @param dryRun run the plain-Java reference ({@code ReferenceModel}, what the GPU computes) in the GPU's place:
     *               checks the benchmark and what it loads (for packaging) on a machine without a GPU; its figures say
     *               nothing about a GPU
     */
    public static Map<String, Map<String, Object>> run(int train, int events, List<Integer> batchSizes, boolean dryRun) {
        BenchModels.requireAtLeast("--train", train, 1000);
        BenchModels.requireAtLeast("--events", events, 100);
        checkBatchSizes(batchSizes);
        CudaAvailability gpu = dryRun ? null : requireGpu();
        ModelFactory device = dryRun ? REFERENCE : Backends.CUDA;
        ModelFactory direct = dryRun ? REFERENCE : (net, version, capacity) -> new CublasModel(net, version, capacity, false);
        Nd4jThreads.configure(1);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Domain domain : BuiltInDomains.NAMES.stream().map(BuiltInDomains::byName).toList()) {
            BenchModels.Trained t = BenchModels.train(domain, train, events, SEED);
            try {
                Map<String, Object> r = measure(t, batchSizes, device, direct, dryRun ? MIN_NANOS / 20 : MIN_NANOS);
                r.put(DEVICE, dryRun ? "none: dry run, the plain-Java reference in the GPU's place" : gpu.describe());
                out.put(domain.name(), r);
            } finally {
                Networks.release(t.network());
            }
        }
        return out;
    }

    static void checkBatchSizes(List<Integer> batchSizes) {
        if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1 || b > 65_536)) {
            throw new IllegalArgumentException("--batch-sizes must be in [1, 65536], were " + batchSizes);
        }
    }

    /**
     * Both backends over one trained model's events; leaves the network open.
     *
     * @param device   makes the device model from a copy of the network (the GPU: {@link Backends#CUDA})
     * @param direct   the same without CUDA graphs, timed beside it
     * @param minNanos how long each (backend, batch size) is timed at least
     */
    static Map<String, Object> measure(BenchModels.Trained t, List<Integer> batchSizes, ModelFactory device,
            ModelFactory direct, long minNanos) {
        MultiLayerNetwork network = t.network();
        int width = t.width();
        int largest = batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        float[] pool = tile(t.heldOut(), width, Math.max(t.rows(), largest));
        int poolRows = pool.length / width;
        Map<String, Object> batches = new LinkedHashMap<>();
        for (int size : batchSizes.stream().sorted().distinct().toList()) {
            int diffRows = Math.min(poolRows, Math.max(size, DIFF_MIN_EVENTS));
            double[] nd4jScores = new double[diffRows];
            double[] deviceScores = new double[diffRows];
            Timing nd4j;
            Timing gpu;
            Timing gpuDirect;
            boolean graphs = false;
            try (Model m = new Dl4jModel(network.clone(), 1L, size)) {
                nd4j = time(m, pool, width, size, minNanos);
                scoreAll(m, pool, width, size, nd4jScores);
            }
            try (Model m = device.create(network.clone(), 1L, size)) {
                gpu = time(m, pool, width, size, minNanos);
                scoreAll(m, pool, width, size, deviceScores);
                graphs = m instanceof CublasModel c && c.usesGraphs();
            }
            try (Model m = direct.create(network.clone(), 1L, size)) {
                gpuDirect = time(m, pool, width, size, minNanos);
            }
            double diff = 0;
            for (int i = 0; i < diffRows; i++) {
                double d = Math.abs(nd4jScores[i] - deviceScores[i]);
                diff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(diff, d);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(CUDA_EPS, gpu.eps);
            m.put(CUDA_P50_MS, gpu.p50Ms);
            m.put(CUDA_P99_MS, gpu.p99Ms);
            m.put(CUDA_GRAPHS, graphs);
            m.put(CUDA_DIRECT_EPS, gpuDirect.eps);
            m.put(CUDA_DIRECT_P50_MS, gpuDirect.p50Ms);
            m.put(GRAPH_SPEEDUP, gpu.eps / gpuDirect.eps);
            m.put(ND4J_EPS, nd4j.eps);
            m.put(ND4J_P50_MS, nd4j.p50Ms);
            m.put(ND4J_P99_MS, nd4j.p99Ms);
            m.put(SPEEDUP, gpu.eps / nd4j.eps);
            m.put(MAX_ABS_DIFF, diff);
            m.put(DIFF_EVENTS, diffRows);
            batches.put(Integer.toString(size), m);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(ARCHITECTURE, Architectures.describe(network));
        r.put(EVENTS, poolRows);
        r.put(BATCHES, batches);
        return r;
    }

    /** The rows repeated (in order) to {@code rows} rows. */
    static float[] tile(float[] rowMajor, int width, int rows) {
        float[] out = new float[rows * width];
        int have = rowMajor.length;
        for (int o = 0; o < out.length; o += have) {
            System.arraycopy(rowMajor, 0, out, o, Math.min(have, out.length - o));
        }
        return out;
    }

    /** Events/s and per-batch latency percentiles of one backend at one batch size. */
    record Timing(double eps, double p50Ms, double p99Ms) {
    }

    /** Untimed warm-up batches, then consecutive batches over the pool (wrapping) for at least {@code minNanos}. */
    static Timing time(Model model, float[] pool, int width, int size, long minNanos) {
        int poolRows = pool.length / width;
        float[] batch = new float[size * width];
        double[] scores = new double[size];
        double sink = 0;
        int next = 0;
        long warmEnd = System.nanoTime() + Math.min(WARMUP_NANOS, minNanos);
        for (int i = 0; i < MIN_BATCHES || System.nanoTime() < warmEnd; i++) {
            next = fill(pool, poolRows, width, next, batch, size);
            model.scoreBatch(batch, size, scores);
            sink += scores[0];
        }
        long[] nanos = new long[1024];
        int count = 0;
        long total = 0;
        while (count < MIN_BATCHES || total < minNanos) {
            next = fill(pool, poolRows, width, next, batch, size);
            long s = System.nanoTime();
            model.scoreBatch(batch, size, scores);
            long d = System.nanoTime() - s;
            sink += scores[0];
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, count * 2);
            }
            nanos[count++] = d;
            total += d;
        }
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("a score was NaN");
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        return new Timing((double) count * size / (total / 1e9), ScoringBench.percentile(sorted, 0.50) / 1e6,
                ScoringBench.percentile(sorted, 0.99) / 1e6);
    }

    /** Copies the next {@code size} pool rows (wrapping) into the batch; returns the row after them. */
    private static int fill(float[] pool, int poolRows, int width, int from, float[] batch, int size) {
        int row = from;
        int filled = 0;
        while (filled < size) {
            int n = Math.min(size - filled, poolRows - row);
            System.arraycopy(pool, row * width, batch, filled * width, n * width);
            filled += n;
            row = (row + n) % poolRows;
        }
        return row;
    }

    /** Scores the first {@code out.length} pool rows in batches of {@code size}. */
    private static void scoreAll(Model model, float[] pool, int width, int size, double[] out) {
        double[] scores = new double[size];
        float[] batch = new float[size * width];
        for (int start = 0; start < out.length; start += size) {
            int n = Math.min(size, out.length - start);
            System.arraycopy(pool, start * width, batch, 0, n * width);
            model.scoreBatch(batch, n, scores);
            System.arraycopy(scores, 0, out, start, n);
        }
    }

    /** A table for people. */
    @SuppressWarnings("unchecked")
    public static String table(Map<String, Map<String, Object>> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %6s %14s %9s %9s %14s %8s %14s %9s %9s %8s %10s%n",
                "domain", "batch", "cuda ev/s", "p50 ms", "p99 ms", "no-graph ev/s", "x graph", "nd4j ev/s", "p50 ms",
                "p99 ms", "x nd4j", "max|diff|"));
        List<String> devices = new ArrayList<>();
        results.forEach((domain, r) -> {
            if (r.get(DEVICE) != null && !devices.contains(r.get(DEVICE).toString())) {
                devices.add(r.get(DEVICE).toString());
            }
            String[] name = {domain};
            ((Map<String, Map<String, Object>>) r.get(BATCHES)).forEach((size, b) -> {
                sb.append(String.format(Locale.ROOT, "%-10s %6s %,14.0f %9.4f %9.4f %,14.0f %8.2f %,14.0f %9.4f %9.4f %8.1f %10.2e%n",
                        name[0], size, num(b.get(CUDA_EPS)), num(b.get(CUDA_P50_MS)), num(b.get(CUDA_P99_MS)),
                        num(b.get(CUDA_DIRECT_EPS)), num(b.get(GRAPH_SPEEDUP)), num(b.get(ND4J_EPS)), num(b.get(ND4J_P50_MS)), num(b.get(ND4J_P99_MS)), num(b.get(SPEEDUP)),
                        num(b.get(MAX_ABS_DIFF))));
                name[0] = "";
            });
        });
        devices.forEach(d -> sb.append("device: ").append(d).append('\n'));
        sb.append("latency = one scoreBatch call (GPU: host copies, transfers and stream wait included); nd4j on one thread;\n"
                + "cuda replays one CUDA graph per batch, no-graph issues the same operations one by one\n");
        return sb.toString();
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }
}
