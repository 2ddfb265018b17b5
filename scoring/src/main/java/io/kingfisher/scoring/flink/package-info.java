/** The thin Flink operators of scoring: they hold a verified model and turn featured events into scores. */
package io.kingfisher.scoring.flink;
