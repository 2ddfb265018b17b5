package io.kingfisher.scoring.flink;

import io.kingfisher.features.flink.EventSerializer;
import io.kingfisher.schemas.core.FloatList;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.List;

/**
 * The serializer of {@link Score}s from the scorer to the operators behind it (alerts, the feed), which are keyed by
 * entity, so every score crosses a shuffle; {@link #TYPE} is the scorer's output type. Flink's Avro serializer took
 * the generic path over a score's fields and boxed each of its features; this writes the fields in schema order and
 * the features from their array, and reads them back as a {@link FloatList}. Only between operators, never in
 * state.
 */
public final class Scores extends EventSerializer<Score> {
    private static final long serialVersionUID = 1L;
    public static final Scores INSTANCE = new Scores();
    /** {@link Score} with this serializer. */
    public static final TypeInformation<Score> TYPE = new Info<>(Score.class, INSTANCE);

    @Override
    public Score createInstance() {
        return new Score();
    }

    @Override
    public Score copy(Score from) {
        // the fields are immutable values; a FloatList cannot be changed, any other list is copied into one
        List<Float> features = from.getFeatures();
        if (features != null && !(features instanceof FloatList)) {
            float[] copy = new float[features.size()];
            for (int i = 0; i < copy.length; i++) {
                copy[i] = features.get(i);
            }
            features = FloatList.over(copy);
        }
        return new Score(from.getEventId(), from.getDomain(), from.getEntity(), from.getEventTime(), from.getIngestTime(),
                from.getScoreTime(), from.getScore(), from.getModelVersion(), from.getFeatureSpecHash(), features);
    }

    @Override
    public void serialize(Score s, DataOutputView out) throws IOException {
        writeString(s.getEventId(), out);
        writeString(s.getDomain(), out);
        writeString(s.getEntity(), out);
        out.writeLong(s.getEventTime());
        out.writeLong(s.getIngestTime());
        out.writeLong(s.getScoreTime());
        out.writeDouble(s.getScore());
        out.writeLong(s.getModelVersion());
        writeString(s.getFeatureSpecHash(), out);
        List<Float> features = s.getFeatures();
        if (features == null) {
            out.writeInt(-1);
        } else if (features instanceof FloatList f) {
            int n = f.size();
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeFloat(f.getFloat(i));
            }
        } else {
            out.writeInt(features.size());
            for (Float x : features) {
                out.writeFloat(x);
            }
        }
    }

    @Override
    public Score deserialize(DataInputView in) throws IOException {
        Score s = new Score();
        s.setEventId(readString(in));
        s.setDomain(readString(in));
        s.setEntity(readString(in));
        s.setEventTime(in.readLong());
        s.setIngestTime(in.readLong());
        s.setScoreTime(in.readLong());
        s.setScore(in.readDouble());
        s.setModelVersion(in.readLong());
        s.setFeatureSpecHash(readString(in));
        float[] features = readFloats(in);
        s.setFeatures(features == null ? null : FloatList.over(features));
        return s;
    }

    @Override
    public TypeSerializerSnapshot<Score> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: compatible with itself. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Score> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
