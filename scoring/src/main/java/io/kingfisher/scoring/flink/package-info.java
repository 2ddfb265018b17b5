/**
 * The thin Flink operators of scoring: {@link io.kingfisher.scoring.flink.ScoringOperator} turns featured events
 * into scores in micro-batches and hot-swaps the models of the snapshots it accepts; what is accepted is decided
 * by the plain-Java classes of {@link io.kingfisher.scoring.snapshot}.
 */
package io.kingfisher.scoring.flink;
