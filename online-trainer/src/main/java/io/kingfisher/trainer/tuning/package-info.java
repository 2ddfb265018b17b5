/** Automated hyperparameter tuning of the online trainer by population-based training. */
package io.kingfisher.trainer.tuning;
