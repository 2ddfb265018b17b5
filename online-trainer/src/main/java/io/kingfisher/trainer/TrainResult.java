package io.kingfisher.trainer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * What {@link OfflineTrainer#train} produced: the network (standardisation and loss weighting
 * inside it) and how it did. Validation metrics are NaN when there was no validation split or it
 * lacked a class.
 *
 * @param network            the trained network, with its updater state
 * @param architecture       its description, e.g. {@code mlp(12-32-16-1)}
 * @param config             the settings it was trained with
 * @param positiveWeight     the positive-class loss weight actually used (resolved from auto)
 * @param examples           all examples given
 * @param positives          all positive examples given
 * @param trainExamples      examples in the training split
 * @param validationExamples examples in the validation split
 * @param trainAuc           AUC on the training split
 * @param validationAuc      AUC on the validation split
 * @param trainLogLoss       log loss on the training split
 * @param validationLogLoss  log loss on the validation split
 * @param validationBrier    Brier score on the validation split
 * @param validationMeanScore mean score on the validation split (compare with its positive rate)
 * @param seconds            wall-clock seconds spent fitting
 * @param validationRows     indices (into the rows given) of the validation split, ascending: the rows the
 *                           network never trained on, e.g. a golden set for gating later candidates
 */
public record TrainResult(MultiLayerNetwork network, String architecture, TrainerConfig config, double positiveWeight,
                          long examples, long positives, long trainExamples, long validationExamples,
                          double trainAuc, double validationAuc, double trainLogLoss, double validationLogLoss,
                          double validationBrier, double validationMeanScore, double seconds,
                          int[] validationRows) {

    /** @return the metrics for a snapshot's {@code metrics} map, snake_case keys */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("examples", (double) examples);
        m.put("positives", (double) positives);
        m.put("train_examples", (double) trainExamples);
        m.put("validation_examples", (double) validationExamples);
        m.put("positive_weight", positiveWeight);
        m.put("train_auc", trainAuc);
        m.put("validation_auc", validationAuc);
        m.put("train_log_loss", trainLogLoss);
        m.put("validation_log_loss", validationLogLoss);
        m.put("validation_brier", validationBrier);
        m.put("validation_mean_score", validationMeanScore);
        m.put("train_seconds", seconds);
        return m;
    }
}
