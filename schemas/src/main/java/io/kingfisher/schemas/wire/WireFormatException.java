package io.kingfisher.schemas.wire;

import java.util.Objects;

/**
 * A record that could not be written or read in the Confluent wire format. The {@link #kind()} is
 * stable and machine-readable (a dead-letter queue stores it); the message names the problem,
 * e.g. {@code "unknown magic byte 0x07 (expected 0x00)"}.
 */
public class WireFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, stable across releases. */
    public enum Kind {
        /** The first byte is not the Confluent magic byte 0x00. */
        UNKNOWN_MAGIC_BYTE,
        /** Fewer bytes than the 5-byte header (magic byte and schema id). */
        TOO_SHORT,
        /** The schema id in the header is not known to the registry. */
        UNKNOWN_SCHEMA_ID,
        /** The Avro body ends before the record does. */
        TRUNCATED_AVRO,
        /** The Avro body cannot be decoded, or bytes are left over after the record. */
        MALFORMED_AVRO,
        /** The writer schema cannot be resolved into the reader's schema. */
        INCOMPATIBLE_SCHEMA,
        /** The registry refused to register the writer's schema, or does not know it. */
        SCHEMA_REJECTED,
        /** The registry could not be reached or failed on its side. */
        REGISTRY_UNAVAILABLE
    }

    private final Kind kind;

    /**
     * @param kind what went wrong
     * @param message a description naming the problem
     */
    public WireFormatException(Kind kind, String message) {
        this(kind, message, null);
    }

    /**
     * @param kind what went wrong
     * @param message a description naming the problem
     * @param cause the underlying failure, or null
     */
    public WireFormatException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** @return what went wrong */
    public Kind kind() {
        return kind;
    }
}
