package io.kingfisher.features.flink;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Serializes {@link StagedEvent}s field by field, arrays as a length (-1 for null) and their elements; copies without
 * reflection. Only between operators of one job, never in state.
 */
public final class StagedEventSerializer extends TypeSerializerSingleton<StagedEvent> {
    private static final long serialVersionUID = 1L;
    public static final StagedEventSerializer INSTANCE = new StagedEventSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

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
    public StagedEvent copy(StagedEvent from, StagedEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(StagedEvent e, DataOutputView out) throws IOException {
        StringValue.writeString(e.eventId, out);
        StringValue.writeString(e.entity, out);
        out.writeLong(e.eventTime);
        out.writeLong(e.ingestTime);
        out.writeInt(e.partition);
        out.writeLong(e.offset);
        writeFloats(e.features, out);
        if (e.numbers == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(e.numbers.length);
            for (double v : e.numbers) {
                out.writeDouble(v);
            }
        }
        if (e.texts == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(e.texts.length);
            for (String t : e.texts) {
                StringValue.writeString(t, out); // null-safe
            }
        }
        writeFloats(e.related, out);
    }

    @Override
    public StagedEvent deserialize(DataInputView in) throws IOException {
        StagedEvent e = new StagedEvent();
        e.eventId = StringValue.readString(in);
        e.entity = StringValue.readString(in);
        e.eventTime = in.readLong();
        e.ingestTime = in.readLong();
        e.partition = in.readInt();
        e.offset = in.readLong();
        e.features = readFloats(in);
        int n = in.readInt();
        if (n >= 0) {
            e.numbers = new double[n];
            for (int i = 0; i < n; i++) {
                e.numbers[i] = in.readDouble();
            }
        }
        n = in.readInt();
        if (n >= 0) {
            e.texts = new String[n];
            for (int i = 0; i < n; i++) {
                e.texts[i] = StringValue.readString(in);
            }
        }
        e.related = readFloats(in);
        return e;
    }

    @Override
    public StagedEvent deserialize(StagedEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static void writeFloats(float[] v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(v.length);
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] readFloats(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
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

    /** {@link StagedEvent}'s type information: an opaque type with this serializer. */
    static final class Info extends TypeInformation<StagedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<StagedEvent> getTypeClass() {
            return StagedEvent.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<StagedEvent> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }

        @Override
        public String toString() {
            return "StagedEvent";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Info;
        }

        @Override
        public int hashCode() {
            return Info.class.hashCode();
        }

        @Override
        public boolean canEqual(Object o) {
            return o instanceof Info;
        }
    }
}
