package io.kingfisher.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.clicks.ClickEvent;
import io.kingfisher.schemas.clicks.ClickEventType;
import io.kingfisher.schemas.fraud.Channel;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class AvroWireSerdeTest {

    private static final String TOPIC = "fraud.events";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    private static PaymentTransaction payment() {
        return PaymentTransaction.newBuilder()
            .setTransactionId("tx-1").setCardId("card-9").setMerchantId("m-3").setMerchantCategory("5411")
            .setAmount(12.5).setCurrency("EUR").setCountry("DE").setChannel(Channel.ONLINE)
            .setEventTime(1_700_000_000_123L).build();
    }

    /** The wire bytes of {@link #payment()}, encoded field by field with a plain BinaryEncoder. */
    private static byte[] paymentBytes(int schemaId) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(new byte[] {(byte) (schemaId >>> 24), (byte) (schemaId >>> 16), (byte) (schemaId >>> 8),
            (byte) schemaId});
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        e.writeString("tx-1");
        e.writeString("card-9");
        e.writeString("m-3");
        e.writeString("5411");
        e.writeDouble(12.5);
        e.writeString("EUR");
        e.writeString("DE");
        e.writeEnum(2); // ONLINE in CHIP, CONTACTLESS, ONLINE, MOTO, UNKNOWN
        e.writeLong(1_700_000_000_123L);
        e.flush();
        return out.toByteArray();
    }

    private static final String CLICK_V0 = """
        {"type": "record", "name": "ClickEvent", "namespace": "io.kingfisher.schemas.clicks", "fields": [
          {"name": "event_id", "type": "string"},
          {"name": "type", "type": {"type": "enum", "name": "ClickEventType", "symbols": ["IMPRESSION", "CLICK"]}},
          {"name": "impression_id", "type": "string"},
          {"name": "user_id", "type": "string"},
          {"name": "item_id", "type": "string"},
          {"name": "position", "type": "int"},
          %s
          {"name": "event_time", "type": "long"}
        ]}""";

    /** ClickEvent bytes of an older or newer writer; {@code middle} writes the fields before event_time. */
    private static byte[] clickBytes(int schemaId, boolean withUser, EncoderStep middle) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ConfluentWireFormat.header(schemaId));
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        e.writeString("ev-1");
        e.writeEnum(1);
        e.writeString("imp-1");
        if (withUser) {
            e.writeString("user-1");
        }
        e.writeString("item-1");
        e.writeInt(3);
        middle.write(e);
        e.writeLong(42L);
        e.flush();
        return out.toByteArray();
    }

    private interface EncoderStep {
        void write(BinaryEncoder e) throws IOException;
    }

    @Test
    void serializeWritesHeaderAndAvroBinaryUnderValueSubject() throws IOException {
        AvroWireSerializer<PaymentTransaction> serializer =
            new AvroWireSerializer<>(registry, PaymentTransaction.class);
        byte[] bytes = serializer.serialize(TOPIC, payment());
        int id = registry.getLatest("fraud.events-value").id();
        assertArrayEquals(paymentBytes(id), bytes);
        assertEquals(List.of("fraud.events-value"), registry.subjects());
    }

    @Test
    void generatedEncodersWriteWhatAvrosGenericWriterWrites() throws IOException {
        io.kingfisher.schemas.core.Score score = new io.kingfisher.schemas.core.Score("e-1", "fraud", "card-9",
            1_700_000_000_123L, 1_700_000_000_200L, 1_700_000_000_210L, 0.875, 4L, "abc123",
            List.of(1.5f, -0.0f, Float.NaN, 3e-9f));
        AvroWireSerializer<io.kingfisher.schemas.core.Score> serializer =
            new AvroWireSerializer<>(registry, io.kingfisher.schemas.core.Score.class);
        byte[] bytes = serializer.serialize("fraud.scores", score);

        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        ConfluentWireFormat.writeHeader(reference, serializer.schemaId("fraud.scores"));
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(reference, null);
        new GenericDatumWriter<Object>(score.getSchema(), GenericData.get()).write(score, e);
        e.flush();
        assertArrayEquals(reference.toByteArray(), bytes);
        assertEquals(score, new AvroWireDeserializer<>(registry, io.kingfisher.schemas.core.Score.class)
            .deserialize("fraud.scores", bytes));
        assertFalse(SpecificData.getForClass(io.kingfisher.schemas.core.Score.class).useCustomCoders(),
            "the class's shared data model is left as it was");
    }

    @Test
    void keySerializerUsesKeySubject() {
        Serializer<PaymentTransaction> serializer = new AvroWireSerializer<>(registry, PaymentTransaction.class);
        serializer.configure(Map.of(), true);
        serializer.serialize(TOPIC, payment());
        assertEquals(List.of("fraud.events-key"), registry.subjects());
        new AvroWireSerializer<>(registry, PaymentTransaction.class, true, true).serialize("other", payment());
        assertEquals(List.of("fraud.events-key", "other-key"), registry.subjects());
    }

    @Test
    void deserializeReadsHandBuiltBytes() throws IOException {
        registry.put(7, PaymentTransaction.getClassSchema());
        Deserializer<PaymentTransaction> deserializer = new AvroWireDeserializer<>(registry, PaymentTransaction.class);
        assertEquals(payment(), deserializer.deserialize(TOPIC, paymentBytes(7)));
    }

    @Test
    void roundTripAndIdsAreCached() {
        AvroWireSerializer<PaymentTransaction> serializer =
            new AvroWireSerializer<>(registry, PaymentTransaction.class);
        AvroWireDeserializer<PaymentTransaction> deserializer =
            new AvroWireDeserializer<>(registry, PaymentTransaction.class);
        for (int i = 0; i < 50; i++) {
            PaymentTransaction tx = PaymentTransaction.newBuilder(payment()).setAmount(i).setTransactionId("tx-" + i)
                .build();
            assertEquals(tx, deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, tx)));
        }
        assertEquals(1, registry.registerCalls.get(), "one registration per subject");
        assertEquals(1, registry.getByIdCalls.get(), "one schema fetch per writer id");
    }

    @Test
    void concurrentSerializationGivesTheSameBytes() throws Exception {
        AvroWireSerializer<PaymentTransaction> serializer =
            new AvroWireSerializer<>(registry, PaymentTransaction.class);
        byte[] expected = serializer.serialize(TOPIC, payment());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = pool.invokeAll(java.util.Collections.nCopies(8, () -> {
                for (int i = 0; i < 500; i++) {
                    if (!Arrays.equals(expected, serializer.serialize(TOPIC, payment()))) {
                        return false;
                    }
                }
                return true;
            }));
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertNull(new AvroWireSerializer<>(registry, PaymentTransaction.class).serialize(TOPIC, null));
        assertNull(new AvroWireDeserializer<>(registry, PaymentTransaction.class).deserialize(TOPIC, null));
        assertEquals(0, registry.registerCalls.get());
    }

    @Test
    void withoutAutoRegisterLooksUpAndRejectsUnknownSchema() {
        AvroWireSerializer<PaymentTransaction> lookupOnly =
            new AvroWireSerializer<>(registry, PaymentTransaction.class, false, false);
        WireFormatException e = assertThrows(WireFormatException.class, () -> lookupOnly.serialize(TOPIC, payment()));
        assertEquals(WireFormatException.Kind.SCHEMA_REJECTED, e.kind());
        assertEquals("schema io.kingfisher.schemas.fraud.PaymentTransaction is not registered under subject "
            + "'fraud.events-value' and auto-registration is off", e.getMessage());

        int id = registry.register("fraud.events-value", PaymentTransaction.getClassSchema());
        byte[] bytes = lookupOnly.serialize(TOPIC, payment());
        assertEquals(id, ConfluentWireFormat.readSchemaId(bytes));
        assertEquals(1, registry.registerCalls.get(), "the lookup-only serializer never registers");
    }

    @Test
    void autoRegisterCanBeTurnedOffByConfig() {
        AvroWireSerializer<PaymentTransaction> serializer =
            new AvroWireSerializer<>(registry, PaymentTransaction.class);
        serializer.configure(Map.of(AvroWireSerializer.AUTO_REGISTER_CONFIG, "false"), false);
        assertEquals(WireFormatException.Kind.SCHEMA_REJECTED,
            assertThrows(WireFormatException.class, () -> serializer.serialize(TOPIC, payment())).kind());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> serializer.configure(Map.of(AvroWireSerializer.AUTO_REGISTER_CONFIG, "maybe"), false));
        assertEquals("auto.register.schemas must be true or false, got 'maybe'", bad.getMessage());
    }

    @Test
    void recordNotMatchingItsSchemaIsMalformed() {
        PaymentTransaction broken = new PaymentTransaction(); // required strings left null
        WireFormatException e = assertThrows(WireFormatException.class,
            () -> new AvroWireSerializer<>(registry, PaymentTransaction.class).serialize(TOPIC, broken));
        assertEquals(WireFormatException.Kind.MALFORMED_AVRO, e.kind());
        assertTrue(e.getMessage().startsWith("cannot encode io.kingfisher.schemas.fraud.PaymentTransaction for "
            + "topic 'fraud.events'"), e.getMessage());
        assertTrue(e.getMessage().contains("transaction_id"), e.getMessage());
    }

    @Test
    void unavailableRegistryIsReportedAsSuch() {
        registry.unavailable = true;
        WireFormatException write = assertThrows(WireFormatException.class,
            () -> new AvroWireSerializer<>(registry, PaymentTransaction.class).serialize(TOPIC, payment()));
        assertEquals(WireFormatException.Kind.REGISTRY_UNAVAILABLE, write.kind());
        WireFormatException read = assertThrows(WireFormatException.class,
            () -> new AvroWireDeserializer<>(registry, PaymentTransaction.class).deserialize(TOPIC, paymentBytes(1)));
        assertEquals(WireFormatException.Kind.REGISTRY_UNAVAILABLE, read.kind());
        assertTrue(read.getMessage().contains("http://test.invalid"), read.getMessage());
    }

    @Test
    void unknownMagicByteAndShortHeaderAreRejectedBeforeTheRegistry() {
        AvroWireDeserializer<PaymentTransaction> deserializer =
            new AvroWireDeserializer<>(registry, PaymentTransaction.class);
        WireFormatException magic = assertThrows(WireFormatException.class,
            () -> deserializer.deserialize(TOPIC, new byte[] {7, 0, 0, 0, 1, 2, 3}));
        assertEquals(WireFormatException.Kind.UNKNOWN_MAGIC_BYTE, magic.kind());
        assertEquals("unknown magic byte 0x07 (expected 0x00) (topic 'fraud.events', reading "
            + "io.kingfisher.schemas.fraud.PaymentTransaction)", magic.getMessage());
        WireFormatException shortHeader = assertThrows(WireFormatException.class,
            () -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 1}));
        assertEquals(WireFormatException.Kind.TOO_SHORT, shortHeader.kind());
        assertEquals(0, registry.getByIdCalls.get());
    }

    @Test
    void unknownSchemaIdIsNamed() {
        WireFormatException e = assertThrows(WireFormatException.class,
            () -> new AvroWireDeserializer<>(registry, PaymentTransaction.class).deserialize(TOPIC, paymentBytes(42)));
        assertEquals(WireFormatException.Kind.UNKNOWN_SCHEMA_ID, e.kind());
        assertTrue(e.getMessage().startsWith("schema id 42 not found in registry"), e.getMessage());
    }

    @Test
    void anUnknownSchemaIdIsNotAskedForAgainAtOnce() {
        AvroWireDeserializer<PaymentTransaction> deserializer = new AvroWireDeserializer<>(registry, PaymentTransaction.class);
        for (int i = 0; i < 3; i++) {
            WireFormatException e = assertThrows(WireFormatException.class, () -> deserializer.deserialize(TOPIC, paymentBytes(42)));
            assertEquals(WireFormatException.Kind.UNKNOWN_SCHEMA_ID, e.kind());
            assertTrue(e.getMessage().startsWith("schema id 42 not found in registry"), e.getMessage());
        }
        assertEquals(1, registry.getByIdCalls.get(), "the registry is asked once within the recheck interval");
        // another unknown id is asked for
        assertThrows(WireFormatException.class, () -> deserializer.deserialize(TOPIC, paymentBytes(43)));
        assertEquals(2, registry.getByIdCalls.get());
    }

    @Test
    void anIdRegisteredAfterItWasUnknownIsReadOnceTheRecheckIsDue() throws IOException {
        AvroWireDeserializer<PaymentTransaction> deserializer = new AvroWireDeserializer<>(registry, PaymentTransaction.class);
        long[] now = {1_000L};
        deserializer.nanoClock(() -> now[0]);
        assertThrows(WireFormatException.class, () -> deserializer.deserialize(TOPIC, paymentBytes(42)));
        registry.put(42, PaymentTransaction.getClassSchema());
        now[0] += AvroWireDeserializer.UNKNOWN_ID_RECHECK.toNanos() - 1;
        assertEquals(WireFormatException.Kind.UNKNOWN_SCHEMA_ID,
            assertThrows(WireFormatException.class, () -> deserializer.deserialize(TOPIC, paymentBytes(42))).kind());
        now[0] += 1;
        assertEquals("tx-1", deserializer.deserialize(TOPIC, paymentBytes(42)).getTransactionId());
    }

    @Test
    void truncatedBodyIsTruncatedAvro() throws IOException {
        registry.put(1, PaymentTransaction.getClassSchema());
        AvroWireDeserializer<PaymentTransaction> deserializer =
            new AvroWireDeserializer<>(registry, PaymentTransaction.class);
        byte[] whole = paymentBytes(1);
        for (int cut = 1; cut < whole.length - ConfluentWireFormat.HEADER_SIZE; cut++) {
            byte[] truncated = Arrays.copyOf(whole, whole.length - cut);
            WireFormatException e = assertThrows(WireFormatException.class,
                () -> deserializer.deserialize(TOPIC, truncated), "cut " + cut);
            assertEquals(WireFormatException.Kind.TRUNCATED_AVRO, e.kind(), "cut " + cut + ": " + e.getMessage());
        }
        WireFormatException headerOnly = assertThrows(WireFormatException.class,
            () -> deserializer.deserialize(TOPIC, ConfluentWireFormat.header(1)));
        assertEquals(WireFormatException.Kind.TRUNCATED_AVRO, headerOnly.kind());
        assertTrue(headerOnly.getMessage().startsWith("Avro body of 0 byte(s) ends before the record does"),
            headerOnly.getMessage());
    }

    @Test
    void trailingBytesAreMalformedAvro() throws IOException {
        registry.put(1, PaymentTransaction.getClassSchema());
        byte[] whole = paymentBytes(1);
        byte[] padded = Arrays.copyOf(whole, whole.length + 3);
        WireFormatException e = assertThrows(WireFormatException.class,
            () -> new AvroWireDeserializer<>(registry, PaymentTransaction.class).deserialize(TOPIC, padded));
        assertEquals(WireFormatException.Kind.MALFORMED_AVRO, e.kind());
        assertTrue(e.getMessage().startsWith("3 byte(s) left over after the record"), e.getMessage());
    }

    @Test
    void badEnumIndexIsMalformedAvro() throws IOException {
        registry.put(1, PaymentTransaction.getClassSchema());
        byte[] bytes = paymentBytes(1);
        // The channel enum index (zig-zag 2 = 0x04) sits just before the 6-byte varint event time.
        int enumAt = bytes.length - 7;
        assertEquals(4, bytes[enumAt]);
        bytes[enumAt] = 40; // index 20 of 5 symbols
        WireFormatException e = assertThrows(WireFormatException.class,
            () -> new AvroWireDeserializer<>(registry, PaymentTransaction.class).deserialize(TOPIC, bytes));
        assertEquals(WireFormatException.Kind.MALFORMED_AVRO, e.kind());
    }

    @Test
    void olderWriterWithoutDefaultedFieldResolvesToDefault() throws IOException {
        Schema v0 = new Schema.Parser().parse(CLICK_V0.formatted(""));
        registry.put(3, v0);
        ClickEvent click = new AvroWireDeserializer<>(registry, ClickEvent.class)
            .deserialize("clicks.events", clickBytes(3, true, e -> { }));
        assertEquals(ClickEvent.newBuilder().setEventId("ev-1").setType(ClickEventType.CLICK)
            .setImpressionId("imp-1").setUserId("user-1").setItemId("item-1").setPosition(3).setSurface("feed")
            .setEventTime(42L).build(), click);
    }

    @Test
    void newerWriterWithExtraFieldIsReadWithoutIt() throws IOException {
        Schema v2 = new Schema.Parser().parse(CLICK_V0.formatted("""
            {"name": "surface", "type": "string", "default": "feed"},
            {"name": "experiment", "type": "string", "default": ""},"""));
        registry.put(4, v2);
        ClickEvent click = new AvroWireDeserializer<>(registry, ClickEvent.class).deserialize("clicks.events",
            clickBytes(4, true, e -> {
                e.writeString("search");
                e.writeString("exp-7");
            }));
        assertEquals("search", click.getSurface());
        assertEquals(42L, click.getEventTime());
    }

    @Test
    void writerMissingRequiredFieldIsIncompatible() throws IOException {
        Schema noUser = new Schema.Parser().parse(CLICK_V0.formatted("").replace(
            "{\"name\": \"user_id\", \"type\": \"string\"},", ""));
        registry.put(5, noUser);
        AvroWireDeserializer<ClickEvent> deserializer = new AvroWireDeserializer<>(registry, ClickEvent.class);
        byte[] bytes = clickBytes(5, false, e -> { });
        for (int attempt = 0; attempt < 2; attempt++) {
            WireFormatException e = assertThrows(WireFormatException.class,
                () -> deserializer.deserialize("clicks.events", bytes));
            assertEquals(WireFormatException.Kind.INCOMPATIBLE_SCHEMA, e.kind());
            assertTrue(e.getMessage().startsWith("writer schema id 5 (io.kingfisher.schemas.clicks.ClickEvent) "
                + "cannot be read as io.kingfisher.schemas.clicks.ClickEvent"), e.getMessage());
            assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.getMessage());
            assertTrue(e.getMessage().contains("user_id"), e.getMessage());
        }
        assertEquals(1, registry.getByIdCalls.get(), "the verdict is cached per writer id");
    }

    @Test
    void genericDeserializerReadsIntoTheGivenSchema() throws IOException {
        registry.put(1, PaymentTransaction.getClassSchema());
        Schema reader = new Schema.Parser().parse(PaymentTransaction.getClassSchema().toString()
            .replace("{\"name\":\"event_time\"", "{\"name\":\"risk\",\"type\":\"double\",\"default\":0.25},"
                + "{\"name\":\"event_time\""));
        AvroWireDeserializer<GenericRecord> deserializer = AvroWireDeserializer.generic(registry, reader);
        GenericRecord record = deserializer.deserialize(TOPIC, paymentBytes(1));
        assertEquals(reader, record.getSchema());
        assertEquals("card-9", record.get("card_id").toString());
        assertEquals(12.5, record.get("amount"));
        assertEquals("ONLINE", record.get("channel").toString());
        assertEquals(0.25, record.get("risk"), "filled from the reader's default");
        assertEquals(GenericRecord.class, deserializer.type());
    }

    @Test
    void genericSerializerWritesTheSameBytesAsTheGeneratedClass() throws IOException {
        Schema schema = PaymentTransaction.getClassSchema();
        GenericRecord record = new GenericData.Record(schema);
        PaymentTransaction tx = payment();
        for (Schema.Field f : schema.getFields()) {
            Object value = tx.get(f.pos());
            record.put(f.pos(), value instanceof Channel c
                ? new GenericData.EnumSymbol(f.schema(), c.name()) : value);
        }
        AvroWireSerializer<GenericRecord> serializer = AvroWireSerializer.generic(registry, schema, false, true);
        byte[] bytes = serializer.serialize(TOPIC, record);
        assertArrayEquals(paymentBytes(registry.getLatest("fraud.events-value").id()), bytes);
        assertEquals(payment(), new AvroWireDeserializer<>(registry, PaymentTransaction.class).deserialize(TOPIC, bytes));

        GenericRecord other = new GenericData.Record(new Schema.Parser().parse(CLICK_V0.formatted("")));
        WireFormatException e = assertThrows(WireFormatException.class, () -> serializer.serialize(TOPIC, other));
        assertEquals(WireFormatException.Kind.MALFORMED_AVRO, e.kind());
        assertEquals("cannot encode a io.kingfisher.schemas.clicks.ClickEvent record for topic 'fraud.events': its "
            + "schema is not the schema of this serializer (io.kingfisher.schemas.fraud.PaymentTransaction)",
            e.getMessage());
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void classConstructorsNeedAGeneratedClass() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new AvroWireDeserializer<>(registry, (Class) GenericRecord.class));
        assertEquals("org.apache.avro.generic.GenericRecord is not a class generated from an Avro schema; for generic "
            + "records use AvroWireDeserializer.generic(registry, readerSchema)", e.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new AvroWireSerializer<>(registry, (Class) org.apache.avro.specific.SpecificRecordBase.class));
    }
}
