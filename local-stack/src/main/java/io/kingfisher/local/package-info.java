/**
 * The embedded local stack: an in-process KRaft Kafka broker and a Confluent-compatible schema registry.
 */
package io.kingfisher.local;
