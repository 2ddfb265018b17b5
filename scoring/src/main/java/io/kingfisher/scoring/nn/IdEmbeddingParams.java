package io.kingfisher.scoring.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The parameters of an {@link IdEmbeddingLayer}: one table {@code E<j>} of shape {@code [vocabulary_j, dimension_j]}
 * per id column, laid out one after the other in the layer's flat parameter view, each row-major (so a table row
 * is contiguous). Fresh tables are drawn from {@code N(0, 1/dimension)} (embeddings of about unit length) with a
 * generator seeded by the network's seed, so the same seed gives the same tables. Every table is a weight (L2
 * applies); there is no bias.
 */
public final class IdEmbeddingParams implements ParamInitializer {
    /** The one instance; the initializer is stateless. */
    public static final IdEmbeddingParams INSTANCE = new IdEmbeddingParams();

    private IdEmbeddingParams() {
    }

    /** @return the parameter key of table {@code j} */
    public static String key(int j) {
        return "E" + j;
    }

    private static IdEmbeddingLayer layer(Layer l) {
        if (!(l instanceof IdEmbeddingLayer e)) {
            throw new IllegalArgumentException("not an IdEmbeddingLayer: " + l);
        }
        return e;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer l) {
        IdEmbeddingLayer e = layer(l);
        long n = 0;
        for (int j = 0; j < e.tables(); j++) {
            n += (long) e.vocabulary(j) * e.dimension(j);
        }
        return n;
    }

    @Override
    public List<String> paramKeys(Layer l) {
        IdEmbeddingLayer e = layer(l);
        List<String> keys = new ArrayList<>(e.tables());
        for (int j = 0; j < e.tables(); j++) {
            keys.add(key(j));
        }
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer l) {
        return paramKeys(l);
    }

    @Override
    public List<String> biasKeys(Layer l) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer l, String key) {
        return paramKeys(l).contains(key);
    }

    @Override
    public boolean isBiasParam(Layer l, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> tables = views(conf, paramsView);
        if (initializeParams) {
            SplittableRandom random = new SplittableRandom(conf.getSeed() ^ 0x1D_E3B3_DD1EL);
            for (INDArray t : tables.values()) {
                int rows = (int) t.size(0);
                int dim = (int) t.size(1);
                float[] values = new float[rows * dim];
                double std = 1.0 / Math.sqrt(dim);
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (gaussian(random) * std);
                }
                t.assign(Nd4j.create(values, new long[] {rows, dim}, 'c').castTo(t.dataType()));
            }
        }
        return tables;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf, gradientView);
    }

    /** Views of the tables inside a flat parameter (or gradient) array; writing to a view writes the array. */
    private Map<String, INDArray> views(NeuralNetConfiguration conf, INDArray flat) {
        IdEmbeddingLayer e = layer(conf.getLayer());
        long expected = numParams(e);
        if (flat.length() != expected) {
            throw new IllegalStateException("an IdEmbeddingLayer needs " + expected + " parameters, the view has "
                    + flat.length());
        }
        INDArray vector = flat.reshape(flat.length());
        Map<String, INDArray> out = new LinkedHashMap<>();
        long offset = 0;
        for (int j = 0; j < e.tables(); j++) {
            long n = (long) e.vocabulary(j) * e.dimension(j);
            INDArray segment = vector.get(NDArrayIndex.interval(offset, offset + n));
            out.put(key(j), segment.reshape('c', e.vocabulary(j), e.dimension(j)));
            offset += n;
        }
        return out;
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
