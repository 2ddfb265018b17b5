package io.kingfisher.trainer;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.MlpSpec;
import io.kingfisher.trainer.eval.BinaryMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a binary {@link Architectures#mlp(MlpSpec) MLP} from scratch on an in-memory table,
 * e.g. the warm start of a domain before online fine-tuning takes over.
 *
 * <p>Steps, all deterministic for a given {@link TrainerConfig#seed()}:
 * <ol>
 *   <li>Split: a stratified hold-out of {@code validation_fraction} of each class, so a rare class
 *       is represented in validation in its true proportion.</li>
 *   <li>Standardisation: per-feature mean and standard deviation of the training split become a
 *       fixed first step of the network (a constant feature gets std 1), so the served model takes
 *       raw features.</li>
 *   <li>Imbalance: positives get loss weight {@code w} ({@code auto}: {@code sqrt(neg/pos)}, i.e.
 *       about 14 at 0.5% positives) through the logit-adjusted
 *       {@link io.kingfisher.scoring.nn.WeightedBinaryXent}, which keeps the output a calibrated
 *       probability; and the output bias starts at the training base rate's logit
 *       {@code ln(pos/neg)} so early epochs are not spent learning the prior. The square root is
 *       a compromise: full inverse-frequency weighting (about 200) makes each of the few
 *       positives dominate its batch and the gradients noisy.</li>
 *   <li>Fit: {@code epochs} passes of Adam over mini-batches, reshuffled each epoch.</li>
 *   <li>Metrics: AUC and log loss on both splits, Brier and mean score on validation.</li>
 * </ol>
 *
 * <p>With {@link IdEmbeddings} ({@link #train(float[][], float[], TrainerConfig, IdEmbeddings)}) the first columns
 * are hashed ids embedded in trainable tables in front of the MLP (a recommendation model); they are not
 * standardised, everything else is the same.
 *
 * <p>Stateless and thread-safe; the returned network belongs to the caller.
 */
public final class OfflineTrainer {

    /** Rows scored per forward pass when computing metrics. */
    private static final int EVAL_BATCH = 8192;
    /** Standard deviations below this are treated as a constant feature. */
    private static final double MIN_STD = 1e-6;

    /**
     * @param x   feature rows, all of the same length, finite
     * @param y   0/1 labels, one per row
     * @param cfg training settings
     * @return the trained network and its metrics
     * @throws IllegalArgumentException if the data are malformed or the training split lacks a class
     */
    public TrainResult train(float[][] x, float[] y, TrainerConfig cfg) {
        return train(x, y, cfg, null);
    }

    /**
     * Like {@link #train(float[][], float[], TrainerConfig)}, with embedded id columns in front of the MLP.
     *
     * @param embeddings the tables of the first {@code embeddings.idColumns()} columns (hashed ids), or null for a
     *                   plain MLP
     * @return the trained network and its metrics
     * @throws IllegalArgumentException if the data are malformed, the rows are narrower than the id columns, or
     *                                  the training split lacks a class
     */
    public TrainResult train(float[][] x, float[] y, TrainerConfig cfg, IdEmbeddings embeddings) {
        io.kingfisher.scoring.Nd4jReachability.install(); // ops must outlive their native calls (see there)
        int features = validate(x, y);
        if (embeddings != null && embeddings.idColumns() > features) {
            throw new IllegalArgumentException("rows have " + features + " features, fewer than the "
                    + embeddings.idColumns() + " embedded id columns");
        }
        SplittableRandom random = new SplittableRandom(cfg.seed());
        int[][] split = stratifiedSplit(y, cfg.validationFraction(), random);
        int[] train = split[0];
        int[] validation = split[1];

        long trainPositives = 0;
        for (int i : train) {
            trainPositives += y[i] == 1f ? 1 : 0;
        }
        long trainNegatives = train.length - trainPositives;
        if (trainPositives == 0 || trainNegatives == 0) {
            throw new IllegalArgumentException("the training split needs both classes, had " + trainPositives
                    + " positives and " + trainNegatives + " negatives");
        }
        double positiveWeight = cfg.resolvePositiveWeight(trainPositives, trainNegatives);
        float[][] stats = meanAndStd(x, train, features);

        MultiLayerNetwork network = Architectures.mlp(MlpSpec.builder(features, cfg.hiddenArray())
                .seed(cfg.seed())
                .learningRate(cfg.learningRate())
                .l2(cfg.l2())
                .positiveWeight(positiveWeight)
                .outputBias(Math.log((double) trainPositives / trainNegatives))
                .standardize(stats[0], stats[1])
                .embeddings(embeddings)
                .build());

        long start = System.nanoTime();
        int[] order = train.clone();
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            shuffle(order, random);
            network.fit(new ListDataSetIterator<>(batches(x, y, order, cfg.batchSize(), features), 1));
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        double[] trainScores = predict(network, x, train, features);
        float[] trainLabels = labels(y, train);
        double[] validationScores = predict(network, x, validation, features);
        float[] validationLabels = labels(y, validation);
        long positives = BinaryMetrics.positives(y);
        return new TrainResult(network, Architectures.describe(network), cfg, positiveWeight,
                y.length, positives, train.length, validation.length,
                BinaryMetrics.auc(trainScores, trainLabels),
                BinaryMetrics.auc(validationScores, validationLabels),
                BinaryMetrics.logLoss(trainScores, trainLabels),
                BinaryMetrics.logLoss(validationScores, validationLabels),
                BinaryMetrics.brier(validationScores, validationLabels),
                mean(validationScores),
                seconds,
                validation);
    }

    private static int validate(float[][] x, float[] y) {
        if (x == null || y == null || x.length == 0) {
            throw new IllegalArgumentException("x and y must be non-empty");
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length + " labels");
        }
        int features = x[0] == null ? 0 : x[0].length;
        if (features == 0) {
            throw new IllegalArgumentException("x[0] has no features");
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || x[i].length != features) {
                throw new IllegalArgumentException("x[" + i + "] has " + (x[i] == null ? "no" : x[i].length)
                        + " features, expected " + features);
            }
            for (int j = 0; j < features; j++) {
                if (!Float.isFinite(x[i][j])) {
                    throw new IllegalArgumentException("x[" + i + "][" + j + "] must be finite, was " + x[i][j]);
                }
            }
            if (y[i] != 0f && y[i] != 1f) {
                throw new IllegalArgumentException("y[" + i + "] must be 0 or 1, was " + y[i]);
            }
        }
        return features;
    }

    /** Returns {train indices, validation indices}, each class split separately. */
    private static int[][] stratifiedSplit(float[] y, double fraction, SplittableRandom random) {
        List<Integer> train = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        for (float label : new float[] {0f, 1f}) {
            int count = 0;
            for (float v : y) {
                count += v == label ? 1 : 0;
            }
            int[] members = new int[count];
            for (int i = 0, k = 0; i < y.length; i++) {
                if (y[i] == label) {
                    members[k++] = i;
                }
            }
            shuffle(members, random);
            int held = (int) Math.round(fraction * count);
            for (int k = 0; k < count; k++) {
                (k < held ? validation : train).add(members[k]);
            }
        }
        int[] t = train.stream().mapToInt(Integer::intValue).sorted().toArray();
        int[] v = validation.stream().mapToInt(Integer::intValue).sorted().toArray();
        return new int[][] {t, v};
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /** Per-feature mean and population standard deviation over the given rows (Welford). */
    private static float[][] meanAndStd(float[][] x, int[] rows, int features) {
        float[] mean = new float[features];
        float[] std = new float[features];
        for (int j = 0; j < features; j++) {
            double m = 0;
            double m2 = 0;
            int n = 0;
            for (int i : rows) {
                double v = x[i][j];
                n++;
                double d = v - m;
                m += d / n;
                m2 += d * (v - m);
            }
            double s = Math.sqrt(m2 / n);
            mean[j] = (float) m;
            std[j] = s < MIN_STD || !Double.isFinite(s) ? 1f : (float) s;
        }
        return new float[][] {mean, std};
    }

    private static List<DataSet> batches(float[][] x, float[] y, int[] order, int batchSize, int features) {
        List<DataSet> batches = new ArrayList<>((order.length + batchSize - 1) / batchSize);
        for (int from = 0; from < order.length; from += batchSize) {
            int rows = Math.min(batchSize, order.length - from);
            float[] f = new float[rows * features];
            float[] l = new float[rows];
            for (int r = 0; r < rows; r++) {
                int i = order[from + r];
                System.arraycopy(x[i], 0, f, r * features, features);
                l[r] = y[i];
            }
            batches.add(new DataSet(Nd4j.create(f, new long[] {rows, features}, 'c'),
                    Nd4j.create(l, new long[] {rows, 1}, 'c')));
        }
        return batches;
    }

    private static double[] predict(MultiLayerNetwork network, float[][] x, int[] rows, int features) {
        double[] out = new double[rows.length];
        for (int from = 0; from < rows.length; from += EVAL_BATCH) {
            int n = Math.min(EVAL_BATCH, rows.length - from);
            float[] f = new float[n * features];
            for (int r = 0; r < n; r++) {
                System.arraycopy(x[rows[from + r]], 0, f, r * features, features);
            }
            INDArray scores = network.output(Nd4j.create(f, new long[] {n, features}, 'c'), false);
            for (int r = 0; r < n; r++) {
                out[from + r] = scores.getDouble(r, 0);
            }
        }
        return out;
    }

    private static float[] labels(float[] y, int[] rows) {
        float[] out = new float[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = y[rows[r]];
        }
        return out;
    }

    private static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
