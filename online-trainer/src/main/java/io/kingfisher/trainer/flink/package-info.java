/** The online trainer as a Flink operator: examples and snapshots in, signed snapshots and learning events out. */
package io.kingfisher.trainer.flink;
