/**
 * Model snapshots: building, signing and verifying the metadata, loading a verified model, and deciding which
 * snapshot a running scorer may swap in ({@link io.kingfisher.scoring.snapshot.SwapPolicy}, tracked per scorer by
 * {@link io.kingfisher.scoring.snapshot.ModelHolder}). No Flink here.
 */
package io.kingfisher.scoring.snapshot;
