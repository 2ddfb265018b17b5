package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.BatchArguments;
import io.kingfisher.scoring.Networks;
import static io.kingfisher.scoring.cuda.CudaDevice.check;
import static io.kingfisher.scoring.cuda.CudaDevice.checkBlas;
import static io.kingfisher.scoring.cuda.CudaDevice.checkDriver;
import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetWorkspace_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaGraphDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphExecDestroy;
import static org.bytedeco.cuda.global.cudart.cudaGraphInstantiateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaGraphLaunch;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamBeginCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamCaptureModeThreadLocal;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamEndCapture;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.cuda.CublasPlan.Buffer;
import io.kingfisher.scoring.cuda.CublasPlan.Gemm;
import io.kingfisher.scoring.cuda.CublasPlan.Layer;
import io.kingfisher.scoring.reference.ReferenceNetwork;
import io.kingfisher.scoring.reference.ReferenceNetwork.Dense;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Model} scored on GPU 0 with cuBLAS: the weights {@link ReferenceNetwork} extracts, resident on the device,
 * and per batch one {@code cublasSgemm} per dense layer followed by NVRTC-compiled element-wise kernels, in exactly the
 * order {@link ReferenceNetwork} documents (see {@link CublasPlan} for the steps and {@link CudaKernels} for the
 * kernels). The plain-Java reference is therefore what this computes, up to the summation order inside cuBLAS's GEMM.
 *
 * <p><b>Resources.</b> Everything is allocated once, in the constructor, for the batch capacity: the weights on the
 * device, pinned host buffers for a batch's features and scores, the device batch buffers, one CUDA stream and one
 * cuBLAS handle bound to it. A batch copies its features in, runs its steps and copies its scores back, all queued on
 * the stream, and waits for the stream once. So one model per scoring subtask means one stream per subtask, and
 * subtasks do not wait for each other.
 *
 * <p><b>CUDA graphs.</b> At small batches the GPU's work takes a few microseconds and the launches are the cost (a
 * batch of 256 is about ten stream operations). So by default the first batch of each row count is captured from the
 * stream into a CUDA graph ({@code cudaStreamBeginCapture} … {@code cudaGraphInstantiateWithFlags}, present in CUDA
 * 11.6 and 13), and later batches of that row count replay it with one {@code cudaGraphLaunch}: the same copies,
 * GEMMs and kernels with the same arguments, so the same scores. Graphs are kept for up to {@link #MAX_GRAPHS} distinct row counts; beyond that, or if a capture
 * fails (logged once, naming the call), batches are issued operation by operation as before. cuBLAS gets a workspace
 * of its own ({@link #CUBLAS_WORKSPACE_BYTES}) so that nothing is allocated while a capture is in progress.
 *
 * <p><b>Threads.</b> The constructor (on a model-loader thread, off the scoring path: that is where a hot swap uploads
 * the new weights) and the scoring calls may run on different threads; each call makes the device's primary context
 * current first. Not thread-safe otherwise: one instance per subtask, like every {@link Model}.
 *
 * <p>The constructor takes ownership of the network and closes it once the weights are extracted.
 */
public final class CublasModel implements Model {
    private static final Logger LOG = LoggerFactory.getLogger(CublasModel.class);
    /** Distinct batch row counts kept as CUDA graphs per model. */
    static final int MAX_GRAPHS = 512;
    /** cuBLAS's workspace (NVIDIA recommends 32 MiB on Hopper). */
    static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;

    private final long version;
    private final String architecture;
    private final int inputSize;
    private final CublasPlan plan;
    private final CudaDevice device;

    private final List<Pointer> deviceMemory = new ArrayList<>();
    private final List<Pointer> pinnedMemory = new ArrayList<>();
    /** Kernel-argument holders: kept reachable so that JavaCPP does not free them while the model lives. */
    private final List<Pointer> keep = new ArrayList<>();

    private CUstream_st stream;
    private cublasContext handle;
    private final Map<Buffer, FloatPointer> buffers = new EnumMap<>(Buffer.class);
    private final FloatPointer[] weights;
    private final FloatPointer hostIn;
    private final FloatPointer hostOut;
    private final float[] scores;
    private final FloatPointer one;
    private final FloatPointer zero;

    private PointerPointer<?> standardizeArgs;
    private IntPointer standardizeN;
    private PointerPointer<?> embedArgs;
    private IntPointer embedN;
    private final PointerPointer<?>[] biasActArgs;
    private final IntPointer[] biasActN;
    private boolean closed;
    /** Whether batches replay captured graphs; false when asked for, or after a capture failed. */
    private boolean graphs;
    private final Map<Integer, CUgraphExec_st> graphByRows = new HashMap<>();

    /**
     * Extracts the network's weights, uploads them and allocates the batch buffers.
     *
     * @param network       a network built by {@link Architectures}; closed by this constructor
     * @param version       the snapshot version
     * @param batchCapacity the most rows per {@link #scoreBatch} call
     * @throws BackendUnavailableException if there is no usable GPU
     * @throws CudaException               if a CUDA call fails (e.g. out of device memory); nothing stays allocated
     * @throws IllegalArgumentException    if the network has a part the reference does not implement
     */
    public CublasModel(MultiLayerNetwork network, long version, int batchCapacity) {
        this(network, version, batchCapacity, true);
    }

    /**
     * As {@link #CublasModel(MultiLayerNetwork, long, int)}, choosing whether batches replay CUDA graphs (the default)
     * or are issued operation by operation (the bench measures both).
     */
    public CublasModel(MultiLayerNetwork network, long version, int batchCapacity, boolean useGraphs) {
        this.graphs = useGraphs;
        ReferenceNetwork net;
        String arch;
        try {
            arch = Architectures.describe(network);
            net = ReferenceNetwork.of(network);
        } finally {
            Networks.release(network);
        }
        this.version = version;
        this.architecture = arch;
        this.inputSize = net.inputSize();
        this.plan = CublasPlan.of(net, batchCapacity);
        this.device = CudaDevice.get();
        int layers = plan.layers().size();
        this.weights = new FloatPointer[2 * layers];
        this.biasActArgs = new PointerPointer<?>[layers];
        this.biasActN = new IntPointer[layers];
        this.scores = new float[batchCapacity];
        this.one = keep(new FloatPointer(1).put(1f));
        this.zero = keep(new FloatPointer(1).put(0f));
        FloatPointer in = null;
        FloatPointer out = null;
        try {
            device.makeCurrent();
            stream = new CUstream_st();
            check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
            handle = new cublasContext();
            checkBlas(cublasCreate_v2(handle), "cublasCreate");
            checkBlas(cublasSetStream_v2(handle, stream), "cublasSetStream");
            // After cublasSetStream, which resets the workspace to cuBLAS's default.
            checkBlas(cublasSetWorkspace_v2(handle, deviceFloats(CUBLAS_WORKSPACE_BYTES / 4), CUBLAS_WORKSPACE_BYTES),
                    "cublasSetWorkspace");
            // FP32 arithmetic throughout (no TF32 tensor-op shortcuts): the reference's precision.
            checkBlas(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            in = pinned((long) batchCapacity * inputSize);
            out = pinned(batchCapacity);
            plan.bufferFloats().forEach((b, floats) -> buffers.put(b, deviceFloats(floats)));
            upload(net);
            check(cudaStreamSynchronize(stream), "cudaStreamSynchronize (weights)");
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        }
        this.hostIn = in;
        this.hostOut = out;
        LOG.debug("CublasModel v{} {} on {}: {}", version, architecture, device.description(), plan);
    }

    /** Weights, standardizer and tables to the device; the kernels' arguments, fixed but for the element count. */
    private void upload(ReferenceNetwork net) {
        FloatPointer input = buffers.get(Buffer.INPUT);
        if (plan.standardizes()) {
            FloatPointer mean = toDevice(net.mean());
            FloatPointer inv = toDevice(net.inverseStd());
            standardizeN = keep(new IntPointer(1));
            standardizeArgs = args(dev(input), dev(mean), dev(inv), ints(inputSize), standardizeN);
        }
        if (plan.embeds()) {
            float[] tables = new float[plan.tableFloats()];
            int[] meta = plan.tableMeta();
            for (int j = 0; j < meta.length / 3; j++) {
                float[] t = net.table(j);
                System.arraycopy(t, 0, tables, meta[3 * j + 2], t.length);
            }
            FloatPointer dTables = toDevice(tables);
            IntPointer dMeta = toDevice(meta);
            IntPointer dColumns = toDevice(plan.embeddingColumns());
            embedN = keep(new IntPointer(1));
            embedArgs = args(dev(input), ints(inputSize), dev(dTables), dev(dMeta), dev(dColumns),
                    ints(plan.embeddingWidth()), dev(buffers.get(Buffer.EMBEDDED)), embedN);
        }
        List<Dense> dense = net.layers();
        for (int i = 0; i < dense.size(); i++) {
            Dense d = dense.get(i);
            Layer l = plan.layers().get(i);
            weights[2 * i] = toDevice(d.w());
            weights[2 * i + 1] = toDevice(d.b());
            biasActN[i] = keep(new IntPointer(1));
            biasActArgs[i] = args(dev(buffers.get(l.out())), dev(weights[2 * i + 1]), ints(l.nOut()),
                    ints(CublasPlan.actCode(l.act())), biasActN[i]);
        }
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public String architecture() {
        return architecture;
    }

    /** @return the most rows per {@link #scoreBatch} call */
    public int batchCapacity() {
        return plan.capacity();
    }

    /** @return what runs per batch */
    public CublasPlan plan() {
        return plan;
    }

    @Override
    public double score(float[] features) {
        if (features == null || features.length != inputSize) {
            throw new IllegalArgumentException("expected " + inputSize + " features, got "
                    + (features == null ? "null" : features.length));
        }
        double[] out = new double[1];
        scoreBatch(features, 1, out);
        return out[0];
    }

    /** @return whether batches replay CUDA graphs (false if not asked for, or after a capture failed) */
    public boolean usesGraphs() {
        return graphs;
    }

    @Override
    public void scoreBatch(float[] rowMajor, int rows, double[] out) {
        ensureOpen();
        plan.checkRows(rows);
        int n = BatchArguments.check(rowMajor, rows, inputSize, out);
        hostIn.put(rowMajor, 0, n);
        device.makeCurrent();
        CUgraphExec_st graph = graphs ? graphFor(rows) : null;
        if (graph != null) {
            check(cudaGraphLaunch(graph, stream), "cudaGraphLaunch");
        } else {
            enqueue(rows);
        }
        check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        hostOut.get(scores, 0, rows);
        for (int i = 0; i < rows; i++) {
            out[i] = scores[i];
        }
    }

    /** Queues one batch's work on the stream: features in, the plan's steps, scores out. */
    private void enqueue(int rows) {
        int n = rows * inputSize;
        check(cudaMemcpyAsync(buffers.get(Buffer.INPUT), hostIn, 4L * n, cudaMemcpyHostToDevice, stream),
                "cudaMemcpyAsync (features)");
        if (standardizeArgs != null) {
            standardizeN.put(n);
            launch(CudaKernels.STANDARDIZE, n, standardizeArgs);
        }
        if (embedArgs != null) {
            int e = rows * plan.embeddingWidth();
            embedN.put(e);
            launch(CudaKernels.EMBED, e, embedArgs);
        }
        for (int i = 0; i < plan.layers().size(); i++) {
            Gemm g = plan.gemm(i, rows);
            checkBlas(cublasSgemm_v2(handle, CUBLAS_OP_N, CUBLAS_OP_N, g.m(), g.n(), g.k(), one, weights[2 * i], g.lda(),
                    buffers.get(g.b()), g.ldb(), zero, buffers.get(g.c()), g.ldc()), "cublasSgemm (layer " + i + ")");
            int e = rows * g.m();
            biasActN[i].put(e);
            launch(CudaKernels.BIAS_ACT, e, biasActArgs[i]);
        }
        check(cudaMemcpyAsync(hostOut, buffers.get(plan.output()), 4L * rows, cudaMemcpyDeviceToHost, stream),
                "cudaMemcpyAsync (scores)");
    }

    /**
     * The graph of a batch of {@code rows} rows, captured from {@link #enqueue} the first time; null when the cache is
     * full or the capture failed (then graphs are switched off for this model and the reason logged once).
     */
    private CUgraphExec_st graphFor(int rows) {
        CUgraphExec_st exec = graphByRows.get(rows);
        if (exec != null || graphByRows.size() >= MAX_GRAPHS) {
            return exec;
        }
        CUgraph_st graph = new CUgraph_st();
        boolean capturing = false;
        try {
            check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
            capturing = true;
            enqueue(rows);
            capturing = false;
            check(cudaStreamEndCapture(stream, graph), "cudaStreamEndCapture");
            exec = new CUgraphExec_st();
            check(cudaGraphInstantiateWithFlags(exec, graph, 0L), "cudaGraphInstantiateWithFlags");
            graphByRows.put(rows, exec);
            return exec;
        } catch (CudaException e) {
            if (capturing) {
                cudaStreamEndCapture(stream, new CUgraph_st());
            }
            cudaGetLastError();
            graphs = false;
            LOG.warn("CUDA graphs are off for model v{} (batches are issued operation by operation): {}", version,
                    e.getMessage());
            return null;
        } finally {
            if (!graph.isNull()) {
                cudaGraphDestroy(graph);
            }
        }
    }

    private void launch(String kernel, int elements, PointerPointer<?> args) {
        CUfunc_st f = device.function(kernel);
        checkDriver(cuLaunchKernel(f, CublasPlan.blocks(elements), 1, 1, CublasPlan.BLOCK, 1, 1, 0, stream, args,
                (PointerPointer<?>) null), "cuLaunchKernel(" + kernel + ")");
    }

    // ---- memory ----

    private FloatPointer deviceFloats(long floats) {
        Pointer p = new Pointer();
        check(cudaMalloc(p, 4L * floats), "cudaMalloc(" + 4L * floats + " bytes)");
        deviceMemory.add(p);
        return new FloatPointer(p);
    }

    private FloatPointer pinned(long floats) {
        Pointer p = new Pointer();
        check(cudaMallocHost(p, 4L * floats), "cudaMallocHost(" + 4L * floats + " bytes)");
        pinnedMemory.add(p);
        FloatPointer f = new FloatPointer(p);
        f.capacity(floats);
        f.limit(floats);
        return f;
    }

    private FloatPointer toDevice(float[] values) {
        FloatPointer d = deviceFloats(values.length);
        FloatPointer host = keep(new FloatPointer(values));
        check(cudaMemcpyAsync(d, host, 4L * values.length, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync (weights)");
        return d;
    }

    private IntPointer toDevice(int[] values) {
        Pointer p = new Pointer();
        check(cudaMalloc(p, 4L * values.length), "cudaMalloc(" + 4L * values.length + " bytes)");
        deviceMemory.add(p);
        IntPointer d = new IntPointer(p);
        IntPointer host = keep(new IntPointer(values));
        check(cudaMemcpyAsync(d, host, 4L * values.length, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync (tables)");
        return d;
    }

    /** A kernel's argument array: each slot points at one argument's value ({@link #dev} or {@link #ints}). */
    private PointerPointer<?> args(Pointer... slots) {
        return keep(new PointerPointer<>(slots));
    }

    /** A slot holding a device address, passed to the kernel by value. */
    private Pointer dev(Pointer devicePointer) {
        return keep(new PointerPointer<>(1).put(devicePointer));
    }

    private IntPointer ints(int value) {
        return keep(new IntPointer(1).put(value));
    }

    private <P extends Pointer> P keep(P p) {
        keep.add(p);
        return p;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model v" + version + " is closed");
        }
    }

    /** Waits for the stream, then frees the device and pinned memory, the cuBLAS handle and the stream. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        release();
    }

    private void release() {
        try {
            device.makeCurrent();
            if (stream != null && !stream.isNull()) {
                cudaStreamSynchronize(stream);
            }
            for (CUgraphExec_st exec : graphByRows.values()) {
                cudaGraphExecDestroy(exec);
            }
            graphByRows.clear();
            if (handle != null && !handle.isNull()) {
                cublasDestroy_v2(handle);
            }
            for (Pointer p : deviceMemory) {
                cudaFree(p);
            }
            for (Pointer p : pinnedMemory) {
                cudaFreeHost(p);
            }
            if (stream != null && !stream.isNull()) {
                cudaStreamDestroy(stream);
            }
        } catch (RuntimeException e) {
            LOG.warn("Releasing the CUDA resources of model v{} failed: {}", version, e.toString());
        } finally {
            deviceMemory.clear();
            pinnedMemory.clear();
            for (Pointer p : keep) {
                p.close();
            }
            keep.clear();
        }
    }

    @Override
    public String toString() {
        return "CublasModel{v" + version + ", " + architecture + ", capacity=" + plan.capacity() + "}";
    }
}
