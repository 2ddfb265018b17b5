/** Plain-Java evaluation metrics for binary scores (AUC, log loss, Brier). */
package io.kingfisher.trainer.eval;
