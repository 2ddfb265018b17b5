/** Kafka Streams apps over the output topics: the online feature lookup; risk views, alert hysteresis and feeds to come. */
package io.kingfisher.streams;
