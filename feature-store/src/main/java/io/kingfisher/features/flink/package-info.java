/**
 * The keyed Flink operator that keeps each entity's feature state (with TTL, stored compactly) and emits
 * point-in-time feature vectors; events it rejects (too late, invalid) go to a side output with the reason.
 */
package io.kingfisher.features.flink;
