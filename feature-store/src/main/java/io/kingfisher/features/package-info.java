/** Declarative per-entity features and the plain-Java engine that computes them, with no Flink in it. */
package io.kingfisher.features;
