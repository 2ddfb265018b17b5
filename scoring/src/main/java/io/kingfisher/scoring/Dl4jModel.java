package io.kingfisher.scoring;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A {@link Model} backed by a DL4J {@link MultiLayerNetwork} with one sigmoid output unit, run in
 * inference mode ({@code output(x, false)}).
 *
 * <p><b>Not thread-safe.</b> Use one instance per operator subtask (per thread). The instance
 * owns a preallocated {@code [capacity, inputSize]} input array that every call overwrites
 * (row-count views of it are cached), and runs the forward pass with its output placed in a
 * per-thread workspace; DL4J's own inference workspaces hold the intermediate activations. So
 * steady-state calls allocate no native memory, and this class adds no Java garbage of its own;
 * what remains is DL4J's per-call bookkeeping (about 65 KB of short-lived objects per
 * {@code output()} call in 1.0.0-M2.1, for a single row as for a batch of 256, which is why
 * micro-batching pays).
 *
 * <p>The model takes ownership of the network and releases it in {@link #close()}.
 *
 * <p>Threads: this class does not change ND4J's thread settings. Under Flink each subtask
 * already scores on its own thread, so a scoring job should limit ND4J to one thread per
 * caller with {@link Nd4jThreads#configure(int)} once per JVM; otherwise every subtask's BLAS
 * and OpenMP pools compete for the same cores.
 */
public final class Dl4jModel implements Model {

    /** Default maximum rows per {@link #scoreBatch} call. */
    public static final int DEFAULT_BATCH_CAPACITY = 256;

    /** Per-thread workspace for network outputs; shared by all models scored on that thread. */
    static final String OUTPUT_WORKSPACE = "kingfisher-scoring-output";

    private final MultiLayerNetwork network;
    private final long version;
    private final String architecture;
    private final int inputSize;
    private final int capacity;
    private final INDArray input;
    private final INDArray[] rowViews;
    private final WorkspaceConfiguration outputWorkspace;
    private boolean closed;

    /**
     * Wraps a network with the default batch capacity.
     *
     * @param network a network built by {@link Architectures} (one sigmoid output unit)
     * @param version the snapshot version
     */
    public Dl4jModel(MultiLayerNetwork network, long version) {
        this(network, version, DEFAULT_BATCH_CAPACITY);
    }

    /**
     * @param network       a network built by {@link Architectures} (one sigmoid output unit)
     * @param version       the snapshot version
     * @param batchCapacity the largest row count {@link #scoreBatch} accepts, {@code >= 1}
     */
    public Dl4jModel(MultiLayerNetwork network, long version, int batchCapacity) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (batchCapacity < 1) {
            throw new IllegalArgumentException("batchCapacity must be >= 1, was " + batchCapacity);
        }
        Nd4jReachability.install(); // ops must outlive their native calls (see there)
        this.network = network;
        this.version = version;
        this.architecture = Architectures.describe(network);
        this.inputSize = Architectures.inputSize(network);
        this.capacity = batchCapacity;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            DataType type = network.getLayerWiseConfigurations().getDataType();
            this.input = Nd4j.create(type == null ? DataType.FLOAT : type, new long[] {batchCapacity, inputSize}, 'c');
        }
        this.rowViews = new INDArray[batchCapacity + 1];
        long bytes = 4L * batchCapacity + 1024L;
        this.outputWorkspace = WorkspaceConfiguration.builder()
                .initialSize(bytes)
                .policyAllocation(AllocationPolicy.OVERALLOCATE)
                .overallocationLimit(0.2)
                .policyLearning(LearningPolicy.FIRST_LOOP)
                .policyReset(ResetPolicy.BLOCK_LEFT)
                .policySpill(SpillPolicy.REALLOCATE)
                .build();
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

    /** @return the largest row count {@link #scoreBatch} accepts */
    public int batchCapacity() {
        return capacity;
    }

    /**
     * Exposes the wrapped network, e.g. for explanation; callers must not use it concurrently with
     * this model or after {@link #close()}.
     *
     * @return the wrapped network
     */
    public MultiLayerNetwork network() {
        return network;
    }

    @Override
    public double score(float[] features) {
        ensureOpen();
        if (features == null || features.length != inputSize) {
            throw new IllegalArgumentException("expected " + inputSize + " features, got "
                    + (features == null ? "null" : features.length));
        }
        load(features, inputSize);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(outputWorkspace,
                OUTPUT_WORKSPACE)) {
            INDArray out = network.output(rows(1), false, null, null, ws);
            return out.getDouble(0, 0);
        }
    }

    @Override
    public void scoreBatch(float[] rowMajor, int rows, double[] out) {
        ensureOpen();
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("rows must be in [1, " + capacity + "], was " + rows);
        }
        int needed = BatchArguments.check(rowMajor, rows, inputSize, out);
        load(rowMajor, needed);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(outputWorkspace,
                OUTPUT_WORKSPACE)) {
            INDArray result = network.output(rows(rows), false, null, null, ws);
            for (int i = 0; i < rows; i++) {
                out[i] = result.getDouble(i, 0);
            }
        }
    }

    /** Copies the first {@code n} values into the preallocated input (backend-aware writes). */
    private void load(float[] values, int n) {
        DataBuffer buffer = input.data();
        for (int i = 0; i < n; i++) {
            buffer.put(i, values[i]);
        }
    }

    /** The first {@code n} rows of the input array; views are created once per row count. */
    private INDArray rows(int n) {
        INDArray view = rowViews[n];
        if (view == null) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                view = n == capacity ? input : input.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
            }
            rowViews[n] = view;
        }
        return view;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model v" + version + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Networks.release(network);
        if (input.closeable()) {
            input.close();
        }
    }

    @Override
    public String toString() {
        return "Dl4jModel{v" + version + ", " + architecture + ", capacity=" + capacity + "}";
    }
}
