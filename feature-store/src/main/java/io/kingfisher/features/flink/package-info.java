/** The keyed Flink operator that keeps each entity's feature state and emits point-in-time feature vectors. */
package io.kingfisher.features.flink;
