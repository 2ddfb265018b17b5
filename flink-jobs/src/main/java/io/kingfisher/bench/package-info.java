/**
 * Benchmarks that measure the pipeline's parts on real Flink jobs and print what they found: the feature
 * operator's throughput per core on RocksDB state and the state it keeps per entity.
 */
package io.kingfisher.bench;
