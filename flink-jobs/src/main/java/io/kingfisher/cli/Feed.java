package io.kingfisher.cli;

/**
 * What a demo or replay produces, one Kafka record at a time, with what the run should see come back:
 * a valid event must be scored exactly once; a record marked dead-letter must reach the DLQ.
 */
public interface Feed {

    /** The next record, or null when the feed is exhausted (a simulator never is). */
    Item next();

    /**
     * @param topic         where to produce it
     * @param key           Kafka key (may be null)
     * @param value         Kafka value
     * @param scoredEventId the event id when this is a valid event that must be scored once, else null
     * @param deadLetter    whether this record must end up in the DLQ (a malformed event, or a dead letter the
     *                      feed writes itself, such as a CSV row that does not fit its domain file)
     */
    record Item(String topic, byte[] key, byte[] value, String scoredEventId, boolean deadLetter) {
    }
}
