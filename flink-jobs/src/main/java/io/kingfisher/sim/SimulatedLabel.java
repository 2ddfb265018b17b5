package io.kingfisher.sim;

import org.apache.avro.specific.SpecificRecord;

/**
 * One simulated label, emitted when it becomes known (a chargeback days after the payment, a click seconds after
 * the impression, an ICU transfer recorded after it happened).
 *
 * @param key      the Kafka record key (the entity the label is about)
 * @param value    the label as the domain's Avro label record
 * @param positive what the label says under the domain's label rule
 */
public record SimulatedLabel(String key, SpecificRecord value, boolean positive) implements SimulatedRecord {
}
