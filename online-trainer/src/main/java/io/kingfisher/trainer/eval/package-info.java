/** Plain-Java evaluation of binary scores: batch metrics (AUC, log loss, Brier) and a prequential window. */
package io.kingfisher.trainer.eval;
