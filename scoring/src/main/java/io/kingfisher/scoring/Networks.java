package io.kingfisher.scoring;

import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frees a network's native memory without the side effects of DL4J's {@link MultiLayerNetwork#close()}.
 *
 * <p>DL4J 1.0.0-M2.1's {@code close()} frees the parameters, gradients and optimizer state, and then also destroys
 * every ND4J workspace of the calling thread and calls {@link System#gc()}. On a scoring thread that swaps models,
 * the first pulls memory from under the model just swapped in, and the second is a full, stop-the-world collection
 * (median 104 ms, up to 200 ms, in a fraud demo with the learning job publishing) at every swap. {@link #release} frees the same arrays and does neither.
 */
public final class Networks {
    private Networks() {
    }

    /** Frees the network's parameters, gradients and optimizer state; the network must not be used afterwards. */
    public static void release(MultiLayerNetwork network) {
        if (network == null) {
            return;
        }
        close(network.params());
        close(network.getGradientsViewArray());
        Updater updater = network.getUpdater(false);
        if (updater != null) {
            close(updater.getStateViewArray());
        }
    }

    private static void close(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }
}
