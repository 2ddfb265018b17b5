package io.kingfisher.scoring;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Turns a decoded (and verified) network into the {@link Model} a scorer serves: the point where the scoring backend
 * is chosen. Called on the thread that loads a snapshot (off the scoring thread for a hot swap), so whatever a backend
 * does to prepare a model, such as uploading its weights to a GPU, happens there.
 */
@FunctionalInterface
public interface ModelFactory {

    /** ND4J on the CPU: {@link Dl4jModel}. */
    ModelFactory ND4J = Dl4jModel::new;

    /**
     * @param network       the decoded network; the factory takes ownership (closes it, now or with the model)
     * @param version       the snapshot version
     * @param batchCapacity the largest micro-batch the model will score
     * @return the model
     */
    Model create(MultiLayerNetwork network, long version, int batchCapacity);
}
