/** Kafka Streams apps over the output topics: risk views, alert hysteresis, feeds, interactive queries (to come). */
package io.kingfisher.streams;
