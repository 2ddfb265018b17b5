/** Generated Avro records shared by all domains: scores, feature vectors, training examples, model snapshots, alerts, dead letters. */
package io.kingfisher.schemas.core;
