package io.kingfisher.jobs;

import io.kingfisher.features.flink.RejectedEvent;
import io.kingfisher.schemas.core.DeadLetter;
import org.apache.flink.util.OutputTag;

import java.nio.ByteBuffer;

/** Builds dead letters and names the side output that carries them. */
public final class DeadLetters {
    /** Side output of every operator that can reject a record. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {
    };

    private DeadLetters() {
    }

    /**
     * A dead letter for an event the feature operator refused (later than the allowed lateness, or a non-finite
     * input). It names the event's source position; the bytes are not carried past decoding, so {@code raw_value}
     * is null and the record is read back from the events topic at that partition and offset.
     */
    public static DeadLetter rejected(String sourceTopic, RejectedEvent r) {
        return DeadLetter.newBuilder()
                .setSourceTopic(sourceTopic)
                .setPartition(r.event.partition)
                .setOffset(r.event.offset)
                .setErrorKind(r.reason == RejectedEvent.Reason.LATE ? "LATE_EVENT" : "INVALID_FIELD")
                .setError("event " + r.event.eventId + " of " + r.event.entity + ": " + r.message)
                .setRawKey(null)
                .setRawValue(null)
                .setFailedAt(System.currentTimeMillis())
                .setStage("features")
                .build();
    }

    public static DeadLetter of(RawRecord r, String stage, String kind, String error) {
        return DeadLetter.newBuilder()
                .setSourceTopic(r.topic)
                .setPartition(r.partition)
                .setOffset(r.offset)
                .setErrorKind(kind)
                .setError(error == null ? kind : error)
                .setRawKey(r.key == null ? null : ByteBuffer.wrap(r.key))
                .setRawValue(r.value == null ? null : ByteBuffer.wrap(r.value))
                .setFailedAt(System.currentTimeMillis())
                .setStage(stage)
                .build();
    }
}
