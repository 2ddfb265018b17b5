package io.kingfisher.scoring;

/**
 * A versioned binary scorer: maps a raw feature vector to a probability-like score in [0, 1].
 *
 * <p>Implementations are not required to be thread-safe; a scoring operator owns one instance
 * per subtask and closes it when it swaps in a newer version.
 */
public interface Model extends AutoCloseable {

    /** @return the snapshot version this model was loaded from */
    long version();

    /** @return the number of features every row must have */
    int inputSize();

    /** @return a compact description of the network, e.g. {@code mlp(12-32-16-1)} */
    String architecture();

    /**
     * Scores one event.
     *
     * @param features exactly {@link #inputSize()} raw features
     * @return the score; NaN if a feature is NaN
     */
    double score(float[] features);

    /**
     * Scores a micro-batch.
     *
     * @param rowMajor {@code rows * inputSize()} features, row after row (longer arrays are allowed,
     *     the tail is ignored)
     * @param rows     number of rows, from 1 up to the model's batch capacity
     * @param out      receives the score of row {@code i} at index {@code i}; length {@code >= rows}
     */
    void scoreBatch(float[] rowMajor, int rows, double[] out);

    /** Releases native memory; the model must not be used afterwards. */
    @Override
    void close();
}
