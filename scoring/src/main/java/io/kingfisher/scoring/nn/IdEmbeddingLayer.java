package io.kingfisher.scoring.nn;

import io.kingfisher.scoring.IdEmbeddings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Configuration of the first layer of a recommendation-style network inside a plain {@code MultiLayerNetwork}:
 * it embeds the first columns of the input row (hashed ids, see {@link io.kingfisher.scoring.IdHash}), optionally
 * adds the pairwise dot products of the embeddings, and passes the remaining (dense) columns through. The arithmetic
 * is {@link IdEmbeddingKernel}; the running layer is {@link IdEmbeddingLayerImpl}; the tables are parameters
 * {@code E0, E1, ...} of shape {@code [vocabulary, dimension]} ({@link IdEmbeddingParams}).
 *
 * <p>Why a layer and not a {@code ComputationGraph}: a {@code MultiLayerNetwork} cannot split its input into an
 * index input and a dense input, but one layer can read both halves of the row. Keeping the network a
 * {@code MultiLayerNetwork} keeps one payload format ({@code dl4j-zip-v1}, updater state included), one loader,
 * snapshot verification, micro-batched scoring and hot swap exactly as they are for the plain MLP.
 *
 * <p>Its class name and JSON fields ({@code vocabularies}, {@code dimensions}, {@code interactions}) are part of the
 * payload format. No bias, no activation, no dropout, and no weight regularisation on the tables: a row's gradient
 * is non-zero only in batches that contain its id, and an L2 term added to every row on every step would, under
 * Adam's per-parameter normalisation, drag the rows of rare ids towards zero as fast as frequent ids are learned
 * (and evaluating it over the whole tables costs more than the rest of the step).
 */
public final class IdEmbeddingLayer extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;

    @JsonProperty("vocabularies")
    private int[] vocabularies;
    @JsonProperty("dimensions")
    private int[] dimensions;
    @JsonProperty("interactions")
    private boolean interactions;

    /** For JSON deserialization only; build one with {@link #builder(int, IdEmbeddings)}. */
    public IdEmbeddingLayer() {
    }

    private IdEmbeddingLayer(Builder b) {
        super(b);
        this.vocabularies = b.vocabularies.clone();
        this.dimensions = b.dimensions.clone();
        this.interactions = b.interactions;
        initializeConstraints(b);
    }

    /**
     * @param inputs width of the input row (ids first)
     * @param spec   the tables and interactions
     * @return a builder whose {@code nIn} and {@code nOut} are already set
     */
    public static Builder builder(int inputs, IdEmbeddings spec) {
        return new Builder(inputs, spec);
    }

    /** @return the embedding spec this layer was built from */
    public IdEmbeddings spec() {
        List<IdEmbeddings.Table> tables = new ArrayList<>(vocabularies.length);
        for (int j = 0; j < vocabularies.length; j++) {
            tables.add(new IdEmbeddings.Table(vocabularies[j], dimensions[j]));
        }
        return new IdEmbeddings(tables, interactions);
    }

    /** @return a kernel doing this layer's arithmetic */
    public IdEmbeddingKernel kernel() {
        return new IdEmbeddingKernel(Math.toIntExact(nIn), spec());
    }

    int tables() {
        return vocabularies.length;
    }

    int vocabulary(int j) {
        return vocabularies[j];
    }

    int dimension(int j) {
        return dimensions[j];
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        IdEmbeddingLayerImpl layer = new IdEmbeddingLayerImpl(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> table = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return IdEmbeddingParams.INSTANCE;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return List.of();
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        long params = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(params);
        return new LayerMemoryReport.Builder(layerName, IdEmbeddingLayer.class, inputType, outputType)
                .standardMemory(params, updaterState)
                .workingMemory(0, 0, 0, outputType.arrayElementsPerExample())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof IdEmbeddingLayer other) || !super.equals(o)) {
            return false;
        }
        return Arrays.equals(vocabularies, other.vocabularies) && Arrays.equals(dimensions, other.dimensions)
                && interactions == other.interactions;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof IdEmbeddingLayer;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), Arrays.hashCode(vocabularies), Arrays.hashCode(dimensions), interactions);
    }

    @Override
    public String toString() {
        return "IdEmbeddingLayer(nIn=" + nIn + ", nOut=" + nOut + ", " + spec().describe() + ")";
    }

    /** Builds an {@link IdEmbeddingLayer}. */
    public static final class Builder extends FeedForwardLayer.Builder<Builder> {
        private final int[] vocabularies;
        private final int[] dimensions;
        private final boolean interactions;

        private Builder(int inputs, IdEmbeddings spec) {
            if (spec == null) {
                throw new IllegalArgumentException("spec must not be null");
            }
            int width = spec.outputWidth(inputs);
            this.vocabularies = spec.tables().stream().mapToInt(IdEmbeddings.Table::vocabulary).toArray();
            this.dimensions = spec.tables().stream().mapToInt(IdEmbeddings.Table::dimension).toArray();
            this.interactions = spec.interactions();
            nIn(inputs);
            nOut(width);
        }

        @Override
        @SuppressWarnings("unchecked")
        public IdEmbeddingLayer build() {
            return new IdEmbeddingLayer(this);
        }
    }
}
