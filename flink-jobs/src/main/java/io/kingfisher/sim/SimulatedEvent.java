package io.kingfisher.sim;

import org.apache.avro.specific.SpecificRecord;

/**
 * One simulated event with the simulator's hidden truth about it.
 *
 * @param key      the Kafka record key (the entity)
 * @param eventId  the event's id
 * @param value    the event as the domain's Avro record
 * @param positive the ground truth the model should learn, as the domain's label rule would settle it from the
 *                 labels this simulator emits (fraud; a click within the attribution window; deterioration within
 *                 the horizon)
 */
public record SimulatedEvent(String key, String eventId, SpecificRecord value, boolean positive) implements SimulatedRecord {
}
