/**
 * What the scores feed: alerts with hysteresis ({@link io.kingfisher.outputs.AlertRule}) and their reasons
 * ({@link io.kingfisher.outputs.FeatureStats}), the per-user top-K feed ({@link io.kingfisher.outputs.FeedRanker},
 * {@link io.kingfisher.outputs.RecentPopularity}) in plain Java, and the thin keyed Flink functions and wiring
 * ({@link io.kingfisher.outputs.Outputs}) that put them behind the scorer.
 */
package io.kingfisher.outputs;
