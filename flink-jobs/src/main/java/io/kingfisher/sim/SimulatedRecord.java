package io.kingfisher.sim;

import org.apache.avro.specific.SpecificRecord;

/**
 * One record a simulator emits, in emission (arrival) order: an event for {@code <domain>.events} or a label for
 * {@code <domain>.labels}.
 */
public sealed interface SimulatedRecord permits SimulatedEvent, SimulatedLabel {
    /** @return the Kafka record key (the entity) */
    String key();

    /** @return the record as the domain's Avro event or label */
    SpecificRecord value();
}
