package io.kingfisher.features.flink;

import io.kingfisher.features.FeaturedEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The serializer of {@link FeaturedEvent}s from the last feature stage to the scorer (see {@link EventSerializer});
 * {@link #TYPE} is what the feature pipeline declares as its output. The scorer's state of held events keeps
 * Flink's POJO serializer, so checkpoints taken before this serializer existed still restore.
 */
public final class FeaturedEvents extends EventSerializer<FeaturedEvent> {
    private static final long serialVersionUID = 1L;
    public static final FeaturedEvents INSTANCE = new FeaturedEvents();
    /** {@link FeaturedEvent} with this serializer. */
    public static final TypeInformation<FeaturedEvent> TYPE = new Info<>(FeaturedEvent.class, INSTANCE);

    @Override
    public FeaturedEvent createInstance() {
        return new FeaturedEvent();
    }

    @Override
    public FeaturedEvent copy(FeaturedEvent from) {
        FeaturedEvent to = new FeaturedEvent();
        to.eventId = from.eventId;
        to.entity = from.entity;
        to.eventTime = from.eventTime;
        to.ingestTime = from.ingestTime;
        to.partition = from.partition;
        to.offset = from.offset;
        to.features = from.features == null ? null : from.features.clone();
        return to;
    }

    @Override
    public void serialize(FeaturedEvent e, DataOutputView out) throws IOException {
        writeString(e.eventId, out);
        writeString(e.entity, out);
        out.writeLong(e.eventTime);
        out.writeLong(e.ingestTime);
        out.writeInt(e.partition);
        out.writeLong(e.offset);
        writeFloats(e.features, out);
    }

    @Override
    public FeaturedEvent deserialize(DataInputView in) throws IOException {
        FeaturedEvent e = new FeaturedEvent();
        e.eventId = readString(in);
        e.entity = readString(in);
        e.eventTime = in.readLong();
        e.ingestTime = in.readLong();
        e.partition = in.readInt();
        e.offset = in.readLong();
        e.features = readFloats(in);
        return e;
    }

    @Override
    public TypeSerializerSnapshot<FeaturedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: compatible with itself. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FeaturedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
