/**
 * Benchmarks that measure the pipeline's parts and print what they found: the feature operator's throughput per
 * core on RocksDB state and the state it keeps per entity ({@link io.kingfisher.bench.FeatureBench}), micro-batched
 * against per-event scoring ({@link io.kingfisher.bench.ScoringBench}), and int8 against float models
 * ({@link io.kingfisher.bench.CompressionBench}); and the yardstick job that the demo runs in the scoring job's place
 * to measure what the stack leaves to any job ({@link io.kingfisher.bench.BaselineJob}).
 */
package io.kingfisher.bench;
