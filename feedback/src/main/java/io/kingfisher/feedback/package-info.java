/** Joins scores with the labels that arrive later into training examples: the join rule and its decisions, without Flink. */
package io.kingfisher.feedback;
