/**
 * Training of Kingfisher's DL4J models: the warm-start {@link io.kingfisher.trainer.OfflineTrainer}
 * and its validated {@link io.kingfisher.trainer.TrainerConfig}.
 */
package io.kingfisher.trainer;
