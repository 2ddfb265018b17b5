package io.kingfisher.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    @Test
    void headerIsMagicByteThenBigEndianId() {
        byte[] expected = {0x00, 0x01, 0x02, 0x03, 0x04};
        assertArrayEquals(expected, ConfluentWireFormat.header(0x01020304));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConfluentWireFormat.writeHeader(out, 0x01020304);
        assertArrayEquals(expected, out.toByteArray());
        assertArrayEquals(new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe},
            ConfluentWireFormat.header(-2));
    }

    @Test
    void writeAppendsBodyAndReadSchemaIdReadsItBack() {
        byte[] message = ConfluentWireFormat.write(70_000, new byte[] {9, 8});
        assertArrayEquals(new byte[] {0, 0, 1, 0x11, 0x70, 9, 8}, message);
        assertEquals(70_000, ConfluentWireFormat.readSchemaId(message));
        assertEquals(Integer.MAX_VALUE, ConfluentWireFormat.readSchemaId(ConfluentWireFormat.header(Integer.MAX_VALUE)));
    }

    @Test
    void shortInputIsTooShort() {
        for (byte[] bytes : new byte[][] {null, {}, {0}, {0, 0, 0, 1}}) {
            WireFormatException e = assertThrows(WireFormatException.class,
                () -> ConfluentWireFormat.readSchemaId(bytes));
            assertEquals(WireFormatException.Kind.TOO_SHORT, e.kind());
            int length = bytes == null ? 0 : bytes.length;
            assertEquals("record of " + length + " byte(s) is too short for the Confluent wire format header "
                + "(5 bytes: magic byte 0x00 and a 4-byte schema id)", e.getMessage());
        }
    }

    @Test
    void otherFirstByteIsUnknownMagicByte() {
        WireFormatException e = assertThrows(WireFormatException.class,
            () -> ConfluentWireFormat.readSchemaId(new byte[] {7, 0, 0, 0, 1, 2}));
        assertEquals(WireFormatException.Kind.UNKNOWN_MAGIC_BYTE, e.kind());
        assertEquals("unknown magic byte 0x07 (expected 0x00)", e.getMessage());
        assertEquals("unknown magic byte 0xff (expected 0x00)", assertThrows(WireFormatException.class,
            () -> ConfluentWireFormat.readSchemaId(new byte[] {-1, 0, 0, 0, 1})).getMessage());
    }

    @Test
    void subjectsFollowTopicNameStrategy() {
        assertEquals("fraud.events-value", ConfluentWireFormat.valueSubject("fraud.events"));
        assertEquals("fraud.events-key", ConfluentWireFormat.keySubject("fraud.events"));
        assertEquals("a-key", ConfluentWireFormat.subject("a", true));
        assertEquals("a-value", ConfluentWireFormat.subject("a", false));
    }
}
