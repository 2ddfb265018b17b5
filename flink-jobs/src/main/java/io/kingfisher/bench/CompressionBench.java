package io.kingfisher.bench;

import io.kingfisher.domain.Domain;
import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.Nd4jThreads;
import io.kingfisher.scoring.compress.Int8Codec;
import io.kingfisher.trainer.eval.BinaryMetrics;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What int8 compression ({@link Int8Codec}, {@value Int8Codec#FORMAT}) costs and saves, per built-in domain: the
 * domain's model is trained on simulated events ({@link BenchModels}); the same held-out simulated events after them
 * are scored by the float network and by the network decoded from its int8 payload, both through {@link Dl4jModel}.
 *
 * <p>Sizes: {@value #FLOAT_BYTES} is the payload as the model store holds it today ({@value ModelCodec#FORMAT},
 * with Adam's updater state for fine-tuning); {@value #FLOAT_PARAMS_BYTES} is the same zip without the updater state
 * (float32 weights only: the fair comparison for inference); {@value #INT8_BYTES} the int8 payload.
 */
public final class CompressionBench {
    /** JSON key: bytes of the stored float payload (with updater state). */
    public static final String FLOAT_BYTES = "float_bytes";
    /** JSON key: bytes of the float payload without updater state. */
    public static final String FLOAT_PARAMS_BYTES = "float_params_bytes";
    /** JSON key: bytes of the int8 payload. */
    public static final String INT8_BYTES = "int8_bytes";
    /** JSON key: {@value #FLOAT_PARAMS_BYTES} / {@value #INT8_BYTES}. */
    public static final String SIZE_RATIO = "size_ratio";
    /** JSON key: AUC of the float model on the held-out events. */
    public static final String AUC_FLOAT = "auc_float";
    /** JSON key: AUC of the int8 model on the same events. */
    public static final String AUC_INT8 = "auc_int8";
    /** JSON key: {@value #AUC_INT8} minus {@value #AUC_FLOAT}. */
    public static final String AUC_CHANGE = "auc_change";
    /** JSON key: largest |float score - int8 score| over the held-out events. */
    public static final String MAX_ABS_SCORE_DIFF = "max_abs_score_diff";
    /** JSON key: mean |float score - int8 score|. */
    public static final String MEAN_ABS_SCORE_DIFF = "mean_abs_score_diff";
    /** JSON keys: held-out events scored, and the positives among them. */
    public static final String EVENTS = "events";
    public static final String POSITIVES = "positives";

    public static final int DEFAULT_TRAIN = 100_000;
    public static final int DEFAULT_EVENTS = 50_000;
    private static final long SEED = 23L;

    private CompressionBench() {
    }

    /**
     * @param train  simulated events to train each domain's model on
     * @param events held-out simulated events to score
     * @return per domain name, the figures under the keys above
     */
    public static Map<String, Map<String, Double>> run(int train, int events) throws IOException {
        BenchModels.requireAtLeast("--train", train, 1000);
        BenchModels.requireAtLeast("--events", events, 100);
        Nd4jThreads.configure(1);
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Domain domain : FeatureBench.builtInDomains()) {
            out.put(domain.name(), measure(BenchModels.train(domain, train, events, SEED)));
        }
        return out;
    }

    /** Encodes, decodes and scores one trained model; closes its network. */
    static Map<String, Double> measure(BenchModels.Trained t) throws IOException {
        byte[] stored = new ModelCodec().encode(t.network());
        ByteArrayOutputStream paramsOnly = new ByteArrayOutputStream();
        ModelSerializer.writeModel(t.network(), paramsOnly, false);
        Int8Codec int8 = new Int8Codec();
        byte[] compressed = int8.encode(t.network());

        int rows = t.rows();
        double[] f = new double[rows];
        double[] q = new double[rows];
        try (Model floatModel = new Dl4jModel(t.network(), 1L); Model int8Model = int8.load(compressed, 1L, Dl4jModel.DEFAULT_BATCH_CAPACITY)) {
            score(floatModel, t, f);
            score(int8Model, t, q);
        }
        double max = 0;
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            double d = Math.abs(f[i] - q[i]);
            max = Math.max(max, d);
            sum += d;
        }
        double aucFloat = BinaryMetrics.auc(f, t.labels());
        double aucInt8 = BinaryMetrics.auc(q, t.labels());
        Map<String, Double> r = new LinkedHashMap<>();
        r.put(FLOAT_BYTES, (double) stored.length);
        r.put(FLOAT_PARAMS_BYTES, (double) paramsOnly.size());
        r.put(INT8_BYTES, (double) compressed.length);
        r.put(SIZE_RATIO, (double) paramsOnly.size() / compressed.length);
        r.put(AUC_FLOAT, aucFloat);
        r.put(AUC_INT8, aucInt8);
        r.put(AUC_CHANGE, aucInt8 - aucFloat);
        r.put(MAX_ABS_SCORE_DIFF, max);
        r.put(MEAN_ABS_SCORE_DIFF, sum / rows);
        r.put(EVENTS, (double) rows);
        r.put(POSITIVES, (double) t.positives());
        return r;
    }

    private static void score(Model model, BenchModels.Trained t, double[] out) {
        int cap = Dl4jModel.DEFAULT_BATCH_CAPACITY;
        float[] batch = new float[cap * t.width()];
        double[] scores = new double[cap];
        for (int start = 0; start < t.rows(); start += cap) {
            int n = Math.min(cap, t.rows() - start);
            System.arraycopy(t.heldOut(), start * t.width(), batch, 0, n * t.width());
            model.scoreBatch(batch, n, scores);
            System.arraycopy(scores, 0, out, start, n);
        }
    }

    /** A table for people. */
    public static String table(Map<String, Map<String, Double>> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %12s %12s %10s %7s %9s %9s %10s %11s %11s %8s%n",
                "domain", "float B", "float-nu B", "int8 B", "ratio", "AUC f32", "AUC int8", "AUC diff", "max |diff|",
                "mean |diff|", "events"));
        results.forEach((domain, r) -> sb.append(String.format(Locale.ROOT,
                "%-10s %,12.0f %,12.0f %,10.0f %6.2fx %9.4f %9.4f %+10.5f %11.5f %11.6f %,8.0f%n",
                domain, r.get(FLOAT_BYTES), r.get(FLOAT_PARAMS_BYTES), r.get(INT8_BYTES), r.get(SIZE_RATIO), r.get(AUC_FLOAT),
                r.get(AUC_INT8), r.get(AUC_CHANGE), r.get(MAX_ABS_SCORE_DIFF), r.get(MEAN_ABS_SCORE_DIFF), r.get(EVENTS))));
        sb.append("float B: dl4j-zip-v1 as stored (with updater state); float-nu B: the same without updater state; "
                + "ratio: float-nu / int8\n");
        return sb.toString();
    }
}
