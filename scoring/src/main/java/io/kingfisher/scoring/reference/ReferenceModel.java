package io.kingfisher.scoring.reference;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A {@link Model} scored by the plain-Java {@link ReferenceNetwork}: the CPU reference for a future device
 * backend, selectable like any other model implementation. Not thread-safe (one instance per subtask, as for
 * every {@link Model}).
 */
public final class ReferenceModel implements Model {

    private final ReferenceNetwork network;
    private final long version;
    private final String architecture;
    private final double[] one = new double[1];
    private boolean closed;

    /**
     * Copies the network's parameters; the DL4J network is not kept and may be closed by the caller.
     *
     * @param net     a network built by {@link Architectures}
     * @param version the snapshot version
     */
    public ReferenceModel(MultiLayerNetwork net, long version) {
        this.architecture = Architectures.describe(net);
        this.network = ReferenceNetwork.of(net);
        this.version = version;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public int inputSize() {
        return network.inputSize();
    }

    @Override
    public String architecture() {
        return architecture;
    }

    @Override
    public double score(float[] features) {
        ensureOpen();
        if (features == null || features.length != network.inputSize()) {
            throw new IllegalArgumentException("expected " + network.inputSize() + " features, got "
                    + (features == null ? "null" : features.length));
        }
        network.forward(features, 1, one);
        return one[0];
    }

    @Override
    public void scoreBatch(float[] rowMajor, int rows, double[] out) {
        ensureOpen();
        network.forward(rowMajor, rows, out);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model v" + version + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "ReferenceModel{v" + version + ", " + architecture + "}";
    }
}
