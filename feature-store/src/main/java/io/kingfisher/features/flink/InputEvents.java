package io.kingfisher.features.flink;

import io.kingfisher.features.InputEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The serializer of {@link InputEvent}s from the decoder to the primary feature stage (see {@link EventSerializer});
 * {@link #TYPE} is what a decoder declares as its output.
 */
public final class InputEvents extends EventSerializer<InputEvent> {
    private static final long serialVersionUID = 1L;
    public static final InputEvents INSTANCE = new InputEvents();
    /** {@link InputEvent} with this serializer. */
    public static final TypeInformation<InputEvent> TYPE = new Info<>(InputEvent.class, INSTANCE);

    @Override
    public InputEvent createInstance() {
        return new InputEvent();
    }

    @Override
    public InputEvent copy(InputEvent from) {
        InputEvent to = new InputEvent(from.eventId, from.entity, from.eventTime, from.ingestTime,
                from.numbers == null ? null : from.numbers.clone(), from.texts == null ? null : from.texts.clone());
        to.partition = from.partition;
        to.offset = from.offset;
        return to;
    }

    @Override
    public void serialize(InputEvent e, DataOutputView out) throws IOException {
        writeString(e.eventId, out);
        writeString(e.entity, out);
        out.writeLong(e.eventTime);
        out.writeLong(e.ingestTime);
        out.writeInt(e.partition);
        out.writeLong(e.offset);
        writeDoubles(e.numbers, out);
        writeStrings(e.texts, out);
    }

    @Override
    public InputEvent deserialize(DataInputView in) throws IOException {
        InputEvent e = new InputEvent();
        e.eventId = readString(in);
        e.entity = readString(in);
        e.eventTime = in.readLong();
        e.ingestTime = in.readLong();
        e.partition = in.readInt();
        e.offset = in.readLong();
        e.numbers = readDoubles(in);
        e.texts = readStrings(in);
        return e;
    }

    @Override
    public TypeSerializerSnapshot<InputEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: compatible with itself. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<InputEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
