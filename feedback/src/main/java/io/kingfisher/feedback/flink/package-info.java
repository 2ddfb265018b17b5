/** The keyed Flink operator of the feedback join: state, event-time timers, side output and metrics around the plain decisions. */
package io.kingfisher.feedback.flink;
