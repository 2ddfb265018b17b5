package io.kingfisher.features.flink;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Serializes {@link StagedEvent}s between the feature stages (see {@link EventSerializer}); copies without
 * reflection.
 */
public final class StagedEventSerializer extends EventSerializer<StagedEvent> {
    private static final long serialVersionUID = 1L;
    public static final StagedEventSerializer INSTANCE = new StagedEventSerializer();

    @Override
    public StagedEvent createInstance() {
        return new StagedEvent();
    }

    @Override
    public StagedEvent copy(StagedEvent from) {
        StagedEvent to = new StagedEvent();
        to.eventId = from.eventId;
        to.entity = from.entity;
        to.eventTime = from.eventTime;
        to.ingestTime = from.ingestTime;
        to.partition = from.partition;
        to.offset = from.offset;
        to.features = from.features == null ? null : from.features.clone();
        to.numbers = from.numbers == null ? null : from.numbers.clone();
        to.texts = from.texts == null ? null : from.texts.clone(); // strings are immutable
        to.related = from.related == null ? null : from.related.clone();
        return to;
    }

    @Override
    public void serialize(StagedEvent e, DataOutputView out) throws IOException {
        writeString(e.eventId, out);
        writeString(e.entity, out);
        out.writeLong(e.eventTime);
        out.writeLong(e.ingestTime);
        out.writeInt(e.partition);
        out.writeLong(e.offset);
        writeFloats(e.features, out);
        writeDoubles(e.numbers, out);
        writeStrings(e.texts, out);
        writeFloats(e.related, out);
    }

    @Override
    public StagedEvent deserialize(DataInputView in) throws IOException {
        StagedEvent e = new StagedEvent();
        e.eventId = readString(in);
        e.entity = readString(in);
        e.eventTime = in.readLong();
        e.ingestTime = in.readLong();
        e.partition = in.readInt();
        e.offset = in.readLong();
        e.features = readFloats(in);
        e.numbers = readDoubles(in);
        e.texts = readStrings(in);
        e.related = readFloats(in);
        return e;
    }

    @Override
    public TypeSerializerSnapshot<StagedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: compatible with itself. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StagedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
