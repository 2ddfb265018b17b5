package io.kingfisher.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.IdHash;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.trainer.eval.BinaryMetrics;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OfflineTrainerTest {

    private final OfflineTrainer trainer = new OfflineTrainer();

    @BeforeAll
    static void oneThreadPerCaller() {
        // As in the jobs (see Nd4jThreads); also keeps timings steady on a shared build machine.
        Nd4jThreads.configure(1);
    }

    private static TrainerConfig config(int epochs) {
        return TrainerConfig.defaults().withEpochs(epochs).withSeed(7L);
    }

    @Test
    void learnsARareEventProblemAndStaysCalibrated() {
        Synthetic data = Synthetic.learnable(20_000, -7.6, 1L);
        assertTrue(data.positiveRate() > 0.005 && data.positiveRate() < 0.02, "about 1% positives: " + data.positiveRate());

        TrainResult r = trainer.train(data.x, data.y, config(5));
        System.out.printf("learnable: %s, %d examples, %d positives, w=%.2f, train AUC %.4f, validation AUC %.4f,"
                        + " validation log loss %.4f, mean score %.4f, %.2f s%n", r.architecture(), r.examples(),
                r.positives(), r.positiveWeight(), r.trainAuc(), r.validationAuc(), r.validationLogLoss(),
                r.validationMeanScore(), r.seconds());

        assertEquals("mlp(8-32-16-1)", r.architecture());
        assertEquals(20_000, r.examples());
        assertEquals(4_000, r.validationExamples());
        assertEquals(16_000, r.trainExamples());
        assertTrue(r.validationAuc() > 0.85, "validation AUC " + r.validationAuc());
        assertTrue(r.trainAuc() > 0.85, "train AUC " + r.trainAuc());
        // Weighted loss with logit adjustment: scores stay on the scale of the base rate.
        double rate = data.positiveRate();
        assertTrue(r.validationMeanScore() > rate / 2 && r.validationMeanScore() < rate * 2,
                "mean score " + r.validationMeanScore() + " vs positive rate " + rate);
        // Better than the constant predictor at the base rate.
        double constantLogLoss = -(rate * Math.log(rate) + (1 - rate) * Math.log(1 - rate));
        assertTrue(r.validationLogLoss() < constantLogLoss, r.validationLogLoss() + " vs " + constantLogLoss);
        assertEquals(Math.sqrt((16_000.0 - r.positives() * 0.8) / (r.positives() * 0.8)), r.positiveWeight(), 0.2);

        // The served model takes raw features: score a fresh sample through Dl4jModel in micro-batches.
        Synthetic fresh = Synthetic.learnable(10_000, -7.6, 99L);
        double[] scores = new double[fresh.y.length];
        try (Dl4jModel model = new Dl4jModel(r.network(), 1L, 256)) {
            float[] batch = new float[256 * Synthetic.FEATURES];
            double[] out = new double[256];
            for (int from = 0; from < scores.length; from += 256) {
                int rows = Math.min(256, scores.length - from);
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(fresh.x[from + i], 0, batch, i * Synthetic.FEATURES, Synthetic.FEATURES);
                }
                model.scoreBatch(batch, rows, out);
                System.arraycopy(out, 0, scores, from, rows);
            }
        }
        double freshAuc = BinaryMetrics.auc(scores, fresh.y);
        System.out.printf("learnable: AUC on a fresh sample scored through Dl4jModel %.4f%n", freshAuc);
        assertTrue(freshAuc > 0.85, "fresh-sample AUC " + freshAuc);
    }

    @Test
    void findsNothingInNoise() {
        Synthetic data = Synthetic.noise(10_000, 0.1, 2L);
        TrainResult r = trainer.train(data.x, data.y, config(3));
        System.out.printf("noise: validation AUC %.4f%n", r.validationAuc());
        // 200 validation positives: the AUC's standard error is about 0.022.
        assertEquals(0.5, r.validationAuc(), 0.1);
    }

    @Test
    void sameSeedSameModel() {
        Synthetic data = Synthetic.learnable(3_000, -4.0, 3L);
        TrainerConfig cfg = config(2).withHiddenLayers(List.of(8));
        TrainResult a = trainer.train(data.x, data.y, cfg);
        TrainResult b = trainer.train(data.x, data.y, cfg);
        assertArrayEquals(a.network().params().toDoubleVector(), b.network().params().toDoubleVector(), 1e-6);
        assertEquals(a.validationAuc(), b.validationAuc(), 1e-9);
    }

    @Test
    void metricsMapIsReadyForTheSnapshot() {
        Synthetic data = Synthetic.learnable(2_000, -3.0, 5L);
        TrainResult r = trainer.train(data.x, data.y, config(1).withPositiveWeight(OptionalDouble.of(2.0)));
        Map<String, Double> m = r.metrics();
        assertEquals(2.0, m.get("positive_weight"));
        assertEquals(2_000.0, m.get("examples"));
        assertEquals(r.validationAuc(), m.get("validation_auc"));
        assertTrue(m.keySet().containsAll(List.of("train_auc", "train_log_loss", "validation_log_loss",
                "validation_brier", "positives", "train_seconds")));
    }

    @Test
    void withoutValidationSplitValidationMetricsAreNaN() {
        Synthetic data = Synthetic.learnable(1_000, -2.0, 6L);
        TrainerConfig cfg = TrainerConfig.fromMap(Map.of(TrainerConfig.VALIDATION_FRACTION, "0",
                TrainerConfig.EPOCHS, "1", TrainerConfig.HIDDEN_LAYERS, "4"));
        TrainResult r = trainer.train(data.x, data.y, cfg);
        assertEquals(0, r.validationExamples());
        assertTrue(Double.isNaN(r.validationAuc()));
        assertTrue(r.trainAuc() > 0.5);
    }

    @Test
    void rejectsMalformedData() {
        TrainerConfig cfg = config(1);
        assertEquals("x[1] has 1 features, expected 2", assertThrows(IllegalArgumentException.class,
                () -> trainer.train(new float[][] {{1, 2}, {3}}, new float[] {0, 1}, cfg)).getMessage());
        assertEquals("x[0][1] must be finite, was NaN", assertThrows(IllegalArgumentException.class,
                () -> trainer.train(new float[][] {{1, Float.NaN}}, new float[] {0}, cfg)).getMessage());
        assertEquals("y[1] must be 0 or 1, was 2.0", assertThrows(IllegalArgumentException.class,
                () -> trainer.train(new float[][] {{1}, {2}}, new float[] {0, 2}, cfg)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> trainer.train(new float[][] {{1}, {2}, {3}}, new float[] {0, 0, 0}, cfg))
                .getMessage().contains("needs both classes"));
    }

    @Test
    void trainsEmbeddedIdColumnsInFrontOfTheMlp() {
        // Users and items each lean one of two ways; a click is likely when they agree. Only embeddings of the
        // hashed ids can learn that; the one dense column (a position) carries a weaker, separate signal.
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        int users = 50;
        int items = 30;
        int[] userSide = r.ints(users, 0, 2).map(v -> 2 * v - 1).toArray();
        int[] itemSide = r.ints(items, 0, 2).map(v -> 2 * v - 1).toArray();
        int n = 8000;
        float[][] x = new float[n][];
        float[] y = new float[n];
        for (int e = 0; e < n; e++) {
            int u = r.nextInt(users);
            int i = r.nextInt(items);
            int position = r.nextInt(4);
            x[e] = new float[] {IdHash.hash24("u" + u), IdHash.hash24("i" + i), position};
            y[e] = r.nextDouble() < 1 / (1 + Math.exp(-(2.0 * userSide[u] * itemSide[i] - 0.6 * position - 1))) ? 1f : 0f;
        }
        IdEmbeddings emb = new IdEmbeddings(List.of(new IdEmbeddings.Table(128, 4), new IdEmbeddings.Table(128, 4)), true);
        TrainerConfig cfg = new TrainerConfig(List.of(16), 1e-2, 1e-5, 128, 8, OptionalDouble.empty(), 7L, 0.2);
        TrainResult withIds = trainer.train(x, y, cfg, emb);
        assertEquals("mlp(3-16-1)+emb(128x4,128x4,dot)", withIds.architecture());
        TrainResult without = trainer.train(x, y, cfg);
        assertTrue(withIds.validationAuc() > without.validationAuc() + 0.1,
                "embeddings " + withIds.validationAuc() + " vs plain " + without.validationAuc());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(x, y, config(1),
                new IdEmbeddings(List.of(new IdEmbeddings.Table(8, 2), new IdEmbeddings.Table(8, 2),
                        new IdEmbeddings.Table(8, 2), new IdEmbeddings.Table(8, 2)), false)));
        assertTrue(e.getMessage().contains("4 embedded id columns"), e.getMessage());
    }
}
