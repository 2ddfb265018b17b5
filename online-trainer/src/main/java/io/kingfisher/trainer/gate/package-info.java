/** Safety gates of the online trainer: champion/challenger publishing and rollback after a swap. */
package io.kingfisher.trainer.gate;
