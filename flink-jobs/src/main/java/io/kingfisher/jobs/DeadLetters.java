package io.kingfisher.jobs;

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
