package io.kingfisher.schemas.wire;

import java.io.ByteArrayOutputStream;
import java.util.Objects;

/**
 * The Confluent wire format: magic byte {@code 0x00}, the schema id as a 4-byte big-endian int,
 * then the Avro binary encoding of the record. Subjects follow the topic-name strategy:
 * {@code <topic>-value} for values and {@code <topic>-key} for keys.
 */
public final class ConfluentWireFormat {

    /** The first byte of every record in this format. */
    public static final byte MAGIC_BYTE = 0x00;
    /** Size of the schema id in bytes. */
    public static final int ID_SIZE = 4;
    /** Size of the header: magic byte and schema id. */
    public static final int HEADER_SIZE = 1 + ID_SIZE;
    /** Suffix of the value subject of a topic. */
    public static final String VALUE_SUFFIX = "-value";
    /** Suffix of the key subject of a topic. */
    public static final String KEY_SUFFIX = "-key";

    private ConfluentWireFormat() {
    }

    /**
     * @param topic the topic name
     * @param isKey whether the subject is for record keys
     * @return {@code <topic>-key} or {@code <topic>-value}
     */
    public static String subject(String topic, boolean isKey) {
        Objects.requireNonNull(topic, "topic");
        return topic + (isKey ? KEY_SUFFIX : VALUE_SUFFIX);
    }

    /** @return {@code <topic>-value} */
    public static String valueSubject(String topic) {
        return subject(topic, false);
    }

    /** @return {@code <topic>-key} */
    public static String keySubject(String topic) {
        return subject(topic, true);
    }

    /** Writes the 5-byte header (magic byte, big-endian schema id) to {@code out}. */
    public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }

    /** @return the 5-byte header for {@code schemaId} */
    public static byte[] header(int schemaId) {
        return new byte[] {
            MAGIC_BYTE, (byte) (schemaId >>> 24), (byte) (schemaId >>> 16), (byte) (schemaId >>> 8), (byte) schemaId
        };
    }

    /**
     * @param schemaId the registry id of the writer schema
     * @param avroBinary the record in Avro binary encoding
     * @return header followed by {@code avroBinary}
     */
    public static byte[] write(int schemaId, byte[] avroBinary) {
        Objects.requireNonNull(avroBinary, "avroBinary");
        byte[] out = new byte[HEADER_SIZE + avroBinary.length];
        System.arraycopy(header(schemaId), 0, out, 0, HEADER_SIZE);
        System.arraycopy(avroBinary, 0, out, HEADER_SIZE, avroBinary.length);
        return out;
    }

    /**
     * Parses the header of a record.
     *
     * @param message a whole record in the wire format
     * @return the schema id in its header
     * @throws WireFormatException {@link WireFormatException.Kind#TOO_SHORT} when there are fewer
     *     than {@value #HEADER_SIZE} bytes, {@link WireFormatException.Kind#UNKNOWN_MAGIC_BYTE} when
     *     the first byte is not {@code 0x00}
     */
    public static int readSchemaId(byte[] message) {
        int length = message == null ? 0 : message.length;
        if (length < HEADER_SIZE) {
            throw new WireFormatException(WireFormatException.Kind.TOO_SHORT,
                "record of " + length + " byte(s) is too short for the Confluent wire format header ("
                    + HEADER_SIZE + " bytes: magic byte 0x00 and a 4-byte schema id)");
        }
        if (message[0] != MAGIC_BYTE) {
            throw new WireFormatException(WireFormatException.Kind.UNKNOWN_MAGIC_BYTE,
                String.format("unknown magic byte 0x%02x (expected 0x00)", message[0] & 0xff));
        }
        return ((message[1] & 0xff) << 24) | ((message[2] & 0xff) << 16) | ((message[3] & 0xff) << 8)
            | (message[4] & 0xff);
    }
}
