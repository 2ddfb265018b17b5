package io.kingfisher.features.flink;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class EventSerializersTest {

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        serializer.serialize(value, out);
        serializer.serialize(value, out); // two in a row: each reads exactly its own bytes
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        serializer.deserialize(in);
        T back = serializer.deserialize(in);
        assertEquals(0, in.available());
        return back;
    }

    @Test
    void inputEventsSurviveWithNullsAndNonAsciiText() throws IOException {
        InputEvent e = new InputEvent("évt-1", "patient-ü", 1_700_000_000_123L, 1_700_000_000_200L,
                new double[]{1.5, Double.NaN, -0.0}, new String[]{"ward-β", null, ""});
        e.partition = 3;
        e.offset = 42;
        InputEvent back = roundTrip(InputEvents.INSTANCE, e);
        assertEquals(List.of(e.eventId, e.entity, e.eventTime, e.ingestTime, e.partition, e.offset),
                List.of(back.eventId, back.entity, back.eventTime, back.ingestTime, back.partition, back.offset));
        assertArrayEquals(e.numbers, back.numbers);
        assertArrayEquals(e.texts, back.texts, "a null and an empty text survive as themselves");

        InputEvent bare = roundTrip(InputEvents.INSTANCE, new InputEvent(null, "x", 0, 0, null, null));
        assertNull(bare.eventId);
        assertNull(bare.numbers);
        assertNull(bare.texts);

        InputEvent copy = InputEvents.INSTANCE.copy(e);
        copy.numbers[0] = 9;
        copy.texts[0] = "other";
        assertEquals(1.5, e.numbers[0]);
        assertEquals("ward-β", e.texts[0]);
        assertEquals(List.of(3, 42L), List.of(copy.partition, copy.offset));
    }

    @Test
    void featuredEventsSurviveAndCopiesAreIndependent() throws IOException {
        FeaturedEvent e = new FeaturedEvent(new InputEvent("e1", "card-1", 5, 6, null, null), new float[]{1, Float.NaN, 3});
        e.partition = 1;
        e.offset = 7;
        FeaturedEvent back = roundTrip(FeaturedEvents.INSTANCE, e);
        assertEquals(e.toString(), back.toString());
        assertEquals(List.of(e.ingestTime, e.partition, e.offset), List.of(back.ingestTime, back.partition, back.offset));
        FeaturedEvent copy = FeaturedEvents.INSTANCE.copy(e);
        copy.features[0] = 0;
        assertEquals(1f, e.features[0]);
        assertNull(roundTrip(FeaturedEvents.INSTANCE, new FeaturedEvent()).features);
    }

    @Test
    void eachTypeHandsOutItsOwnSerializerAndEqualsOnlyItself() {
        assertSame(InputEvents.INSTANCE, InputEvents.TYPE.createSerializer(new SerializerConfigImpl()));
        assertSame(FeaturedEvents.INSTANCE, FeaturedEvents.TYPE.createSerializer(new SerializerConfigImpl()));
        assertSame(StagedEventSerializer.INSTANCE, StagedEvent.TYPE.createSerializer(new SerializerConfigImpl()));
        assertEquals(InputEvents.TYPE, new EventSerializer.Info<>(InputEvent.class, InputEvents.INSTANCE));
        assertNotEquals(InputEvents.TYPE, TypeInformation.of(InputEvent.class), "not Flink's POJO type");
        assertNotEquals(FeaturedEvents.TYPE, TypeInformation.of(FeaturedEvent.class), "not Flink's POJO type");
        assertEquals(InputEvents.INSTANCE, InputEvents.INSTANCE.snapshotConfiguration().restoreSerializer());
    }
}
