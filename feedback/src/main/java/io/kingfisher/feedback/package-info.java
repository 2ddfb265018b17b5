/** Joins scores with the labels that arrive later and emits training examples (the feedback-join issue builds it). */
package io.kingfisher.feedback;
