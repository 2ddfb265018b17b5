package io.kingfisher.scoring;

import io.kingfisher.scoring.nn.IdEmbeddingLayer;
import io.kingfisher.scoring.nn.StandardizingPreProcessor;
import io.kingfisher.scoring.nn.WeightedBinaryXent;
import java.util.List;
import java.util.StringJoiner;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Builds the networks Kingfisher serves and describes them in a compact form.
 *
 * <p>The one family today is the binary-classification MLP: ReLU hidden layers (He
 * initialisation), one sigmoid output unit (Xavier), {@link WeightedBinaryXent} loss (plain
 * binary cross-entropy at positive weight 1), Adam, optional L2 on weights and an optional
 * fixed {@link StandardizingPreProcessor} in front, all in 32-bit floats. Its description is
 * {@code mlp(<inputs>-<hidden...>-1)}, e.g. {@code mlp(12-32-16-1)}.
 *
 * <p>The recommendation variant puts an {@link IdEmbeddingLayer} first: the first columns of the row are hashed
 * ids ({@link IdHash}) embedded in trainable tables (plus their pairwise dot products), the other columns pass
 * through, and the same MLP follows. The network stays a {@code MultiLayerNetwork}, so it is encoded, verified,
 * loaded and scored like the plain MLP. Its description appends the tables to the row's MLP description, e.g.
 * {@code mlp(14-64-32-1)+emb(8192x16,2048x16,dot)}: 14 input columns, the first two embedded.
 */
public final class Architectures {

    /** Prefix of MLP descriptions. */
    public static final String MLP = "mlp";

    private Architectures() {
    }

    /**
     * Builds and initialises an MLP with default optimiser settings (see {@link MlpSpec#builder}).
     *
     * @param inputs number of input features
     * @param hidden hidden layer widths
     * @param seed   weight-initialisation seed
     * @return an initialised network
     */
    public static MultiLayerNetwork mlp(int inputs, int[] hidden, long seed) {
        return mlp(MlpSpec.builder(inputs, hidden).seed(seed).build());
    }

    /**
     * Builds and initialises an MLP from a full spec.
     *
     * @param spec layer sizes, optimiser, class weighting and input standardisation
     * @return an initialised network
     */
    public static MultiLayerNetwork mlp(MlpSpec spec) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(spec.learningRate()))
                .weightInit(WeightInit.RELU);
        if (spec.l2() > 0) {
            base.l2(spec.l2());
        }
        NeuralNetConfiguration.ListBuilder list = base.list();
        int previous = spec.inputs();
        IdEmbeddings embeddings = spec.embeddings();
        if (embeddings != null) {
            list.layer(IdEmbeddingLayer.builder(spec.inputs(), embeddings).build());
            previous = embeddings.outputWidth(spec.inputs());
        }
        int[] hidden = spec.hidden();
        for (int width : hidden) {
            list.layer(new DenseLayer.Builder().nIn(previous).nOut(width).activation(Activation.RELU).build());
            previous = width;
        }
        list.layer(new OutputLayer.Builder(new WeightedBinaryXent(spec.positiveWeight()))
                .nIn(previous).nOut(1)
                .activation(Activation.SIGMOID)
                .weightInit(WeightInit.XAVIER)
                .biasInit(spec.outputBias())
                .build());
        if (spec.featureMean() != null) {
            list.inputPreProcessor(0, new StandardizingPreProcessor(spec.featureMean(), spec.featureStd()));
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * @param inputs number of input features
     * @param hidden hidden layer widths
     * @return e.g. {@code mlp(12-32-16-1)}
     */
    public static String mlpDescription(int inputs, int... hidden) {
        StringJoiner j = new StringJoiner("-", MLP + "(", ")");
        j.add(Integer.toString(inputs));
        for (int h : hidden) {
            j.add(Integer.toString(h));
        }
        j.add("1");
        return j.toString();
    }

    /**
     * Describes a network built by {@link #mlp(MlpSpec)} (or of the same shape).
     *
     * @param net a network of dense ReLU layers followed by a one-unit sigmoid output layer, optionally with an
     *            {@link IdEmbeddingLayer} first
     * @return its description, e.g. {@code mlp(12-32-16-1)} or {@code mlp(14-64-32-1)+emb(8192x16,2048x16,dot)}
     * @throws IllegalArgumentException if the network has another shape
     */
    public static String describe(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        List<NeuralNetConfiguration> confs = conf.getConfs();
        int first = 0;
        String suffix = "";
        if (confs.get(0).getLayer() instanceof IdEmbeddingLayer emb) {
            if (confs.size() < 2) {
                throw new IllegalArgumentException("not an mlp: an embedding layer needs layers after it");
            }
            first = 1;
            suffix = "+" + emb.spec().describe();
        }
        int[] hidden = new int[confs.size() - 1 - first];
        for (int i = first; i < confs.size(); i++) {
            Layer layer = confs.get(i).getLayer();
            boolean last = i == confs.size() - 1;
            if (last) {
                if (!(layer instanceof OutputLayer out) || out.getNOut() != 1
                        || !(out.getActivationFn() instanceof ActivationSigmoid)) {
                    throw new IllegalArgumentException("not an mlp: last layer must be a 1-unit sigmoid OutputLayer, was "
                            + layer);
                }
            } else {
                if (!(layer instanceof DenseLayer dense) || !(dense.getActivationFn() instanceof ActivationReLU)) {
                    throw new IllegalArgumentException("not an mlp: layer " + i + " must be a ReLU DenseLayer, was "
                            + layer);
                }
                hidden[i - first] = (int) dense.getNOut();
            }
        }
        return mlpDescription(inputSize(net), hidden) + suffix;
    }

    /**
     * @param net a network built by {@link #mlp(MlpSpec)}
     * @return its embedded id columns, or null for a plain MLP
     */
    public static IdEmbeddings embeddings(MultiLayerNetwork net) {
        Layer first = net.getLayerWiseConfigurations().getConf(0).getLayer();
        return first instanceof IdEmbeddingLayer emb ? emb.spec() : null;
    }

    /**
     * @param net a feed-forward network
     * @return the number of input features of its first layer
     */
    public static int inputSize(MultiLayerNetwork net) {
        Layer first = net.getLayerWiseConfigurations().getConf(0).getLayer();
        if (!(first instanceof FeedForwardLayer ff)) {
            throw new IllegalArgumentException("first layer is not feed-forward: " + first);
        }
        return Math.toIntExact(ff.getNIn());
    }
}
