/** Online fine-tuning of DL4J models on the stream of training examples: test-then-train, gating, rollback, drift, tuning. */
package io.kingfisher.trainer.online;
