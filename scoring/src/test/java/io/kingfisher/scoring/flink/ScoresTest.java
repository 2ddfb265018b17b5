package io.kingfisher.scoring.flink;

import io.kingfisher.schemas.core.FloatList;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ScoresTest {

    private static Score roundTrip(Score s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        Scores.INSTANCE.serialize(s, out);
        Scores.INSTANCE.serialize(s, out); // two in a row: each reads exactly its own bytes
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        Scores.INSTANCE.deserialize(in);
        Score back = Scores.INSTANCE.deserialize(in);
        assertEquals(0, in.available());
        return back;
    }

    private static Score score(List<Float> features) {
        return new Score("évt-1", "fraud", "card-ü", 1_700_000_000_123L, 1_700_000_000_200L, 1_700_000_000_250L,
                0.731, 17L, "spec-hash", features);
    }

    @Test
    void everyFieldSurvivesAndEqualsTheAvroRecord() throws IOException {
        Score s = score(FloatList.over(new float[] {1.5f, Float.NaN, -0.0f, Float.MAX_VALUE}));
        Score back = roundTrip(s);
        assertEquals(s, back, "Avro's equality over every field");
        assertInstanceOf(FloatList.class, back.getFeatures());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back.getFeatures().get(2)));

        Score fromList = score(new ArrayList<>(List.of(2f, 3f)));
        assertEquals(fromList, roundTrip(fromList), "features that are not a FloatList are written too");

        Score bare = new Score();
        bare.setEventId("e");
        Score bareBack = roundTrip(bare);
        assertNull(bareBack.getDomain());
        assertNull(bareBack.getFeatures());
    }

    @Test
    void copiesDoNotShareAChangeableList() {
        List<Float> features = new ArrayList<>(List.of(1f, 2f));
        Score copy = Scores.INSTANCE.copy(score(features));
        features.set(0, 9f);
        assertEquals(1f, copy.getFeatures().get(0));
        assertEquals(score(List.of(1f, 2f)), copy);
    }

    @Test
    void theTypeHandsOutThisSerializer() {
        assertSame(Scores.INSTANCE, Scores.TYPE.createSerializer(new SerializerConfigImpl()));
        assertNotEquals(Scores.TYPE, TypeInformation.of(Score.class), "not Flink's Avro type");
    }
}
