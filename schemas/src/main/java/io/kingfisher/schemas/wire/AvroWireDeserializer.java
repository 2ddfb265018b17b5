package io.kingfisher.schemas.wire;

import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in the Confluent wire format into Avro specific records (generated classes), or
 * into generic records of a given reader schema ({@link #generic}). The writer schema is
 * fetched from the registry by the id in the header (once per id) and resolved against the
 * reader's schema, so records written with an older or newer compatible schema are read; a
 * resolving reader is cached per writer id. An id the registry does not know is asked for again only
 * {@link #UNKNOWN_ID_RECHECK} later: a stream of records with a bogus id (garbage, or another
 * registry's ids) goes to the dead letters without a registry round trip each, which had stalled the
 * reading thread for 5–30 ms per record. Every failure is a {@link WireFormatException} whose
 * {@link WireFormatException#kind() kind} says what was wrong with the bytes. Thread-safe.
 *
 * <p>Not {@link java.io.Serializable}: to ship one inside a Flink function, ship a
 * {@link SerdeConfig} and call {@link SerdeConfig#deserializer()} where it runs.
 *
 * @param <T> the record type: a generated class, or {@link GenericRecord}
 */
public final class AvroWireDeserializer<T extends IndexedRecord> implements Deserializer<T> {

    private final SchemaRegistryClient registry;
    private final Class<T> type;
    private final GenericData model;
    private final Schema readerSchema;
    private final Map<Integer, Resolution<T>> byWriterId = new ConcurrentHashMap<>();
    /** Writer ids the registry did not know, and when (System.nanoTime) to ask again. */
    private final Map<Integer, Long> unknownUntil = new ConcurrentHashMap<>();
    private LongSupplier nanoClock = System::nanoTime;

    /** How long an id the registry did not know is taken as still unknown, without asking again. */
    public static final Duration UNKNOWN_ID_RECHECK = Duration.ofSeconds(5);
    /** The most unknown ids remembered; beyond it the memory is cleared (a flood of distinct ids is asked for). */
    static final int MAX_UNKNOWN_IDS = 10_000;

    /** A resolving reader for one writer schema, or why there is none. */
    private record Resolution<T>(GenericDatumReader<T> reader, String incompatibility) {
    }

    /**
     * @param registry where writer schemas are fetched by id
     * @param type the generated record class to read into
     */
    public AvroWireDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.type = requireGenerated(type);
        SpecificData specific = SpecificData.getForClass(type);
        this.model = specific;
        this.readerSchema = specific.getSchema(type);
    }

    private AvroWireDeserializer(SchemaRegistryClient registry, Class<T> type, GenericData model, Schema readerSchema) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.type = type;
        this.model = model;
        this.readerSchema = Objects.requireNonNull(readerSchema, "readerSchema");
    }

    /**
     * A deserializer into {@link GenericRecord}s of {@code readerSchema}, for record types without a
     * generated class (e.g. a domain declared in a file).
     *
     * @param registry where writer schemas are fetched by id
     * @param readerSchema the schema records are resolved into
     */
    public static AvroWireDeserializer<GenericRecord> generic(SchemaRegistryClient registry, Schema readerSchema) {
        return new AvroWireDeserializer<>(registry, GenericRecord.class, GenericData.get(), readerSchema);
    }

    /**
     * @param topic the topic the bytes came from (for messages only)
     * @param bytes a record in the wire format, or null for a tombstone
     * @return the record, or null for null bytes
     * @throws WireFormatException of kind TOO_SHORT, UNKNOWN_MAGIC_BYTE, UNKNOWN_SCHEMA_ID,
     *     INCOMPATIBLE_SCHEMA, TRUNCATED_AVRO, MALFORMED_AVRO or REGISTRY_UNAVAILABLE
     */
    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        int writerId;
        try {
            writerId = ConfluentWireFormat.readSchemaId(bytes);
        } catch (WireFormatException e) {
            throw new WireFormatException(e.kind(), e.getMessage() + context(topic), null);
        }
        GenericDatumReader<T> reader = reader(writerId, topic);
        int bodyLength = bytes.length - ConfluentWireFormat.HEADER_SIZE;
        BinaryDecoder decoder =
            DecoderFactory.get().binaryDecoder(bytes, ConfluentWireFormat.HEADER_SIZE, bodyLength, null);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new WireFormatException(WireFormatException.Kind.TRUNCATED_AVRO,
                "Avro body of " + bodyLength + " byte(s) ends before the record does (writer schema id " + writerId
                    + ")" + context(topic), e);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(WireFormatException.Kind.MALFORMED_AVRO,
                "cannot decode Avro body of " + bodyLength + " byte(s) with writer schema id " + writerId + ": "
                    + e + context(topic), e);
        }
        int left = remaining(decoder);
        if (left != 0) {
            throw new WireFormatException(WireFormatException.Kind.MALFORMED_AVRO,
                left + " byte(s) left over after the record (Avro body of " + bodyLength
                    + " byte(s), writer schema id " + writerId + ")" + context(topic));
        }
        return record;
    }

    private static int remaining(BinaryDecoder decoder) {
        try {
            return decoder.isEnd() ? 0 : Math.max(1, decoder.inputStream().available());
        } catch (IOException e) {
            return 1;
        }
    }

    private GenericDatumReader<T> reader(int writerId, String topic) {
        Resolution<T> resolution = byWriterId.get(writerId);
        if (resolution == null) {
            resolution = resolve(writerId, topic);
            byWriterId.put(writerId, resolution);
        }
        if (resolution.reader() == null) {
            throw new WireFormatException(WireFormatException.Kind.INCOMPATIBLE_SCHEMA,
                resolution.incompatibility() + context(topic));
        }
        return resolution.reader();
    }

    private Resolution<T> resolve(int writerId, String topic) {
        Long until = unknownUntil.get(writerId);
        if (until != null && nanoClock.getAsLong() - until < 0) {
            throw new WireFormatException(WireFormatException.Kind.UNKNOWN_SCHEMA_ID,
                "schema id " + writerId + " not found in registry (asked less than "
                    + UNKNOWN_ID_RECHECK.toSeconds() + " s ago)" + context(topic));
        }
        Schema writer;
        try {
            writer = registry.getById(writerId);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                if (unknownUntil.size() >= MAX_UNKNOWN_IDS) {
                    unknownUntil.clear();
                }
                unknownUntil.put(writerId, nanoClock.getAsLong() + UNKNOWN_ID_RECHECK.toNanos());
                throw new WireFormatException(WireFormatException.Kind.UNKNOWN_SCHEMA_ID,
                    "schema id " + writerId + " not found in registry" + context(topic), e);
            }
            if (e.errorCode() == SchemaRegistryException.INVALID_SCHEMA) {
                return new Resolution<>(null, "writer schema id " + writerId + " cannot be used: " + e.getMessage());
            }
            throw new WireFormatException(WireFormatException.Kind.REGISTRY_UNAVAILABLE,
                "cannot fetch writer schema id " + writerId + ": " + e.getMessage() + context(topic), e);
        }
        SchemaCompatibility.SchemaPairCompatibility check =
            SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            StringBuilder why = new StringBuilder();
            for (SchemaCompatibility.Incompatibility i : check.getResult().getIncompatibilities()) {
                why.append(why.length() == 0 ? "" : "; ").append(i.getType()).append(" at ").append(i.getLocation())
                    .append(": ").append(i.getMessage());
            }
            return new Resolution<>(null, "writer schema id " + writerId + " (" + writer.getFullName()
                + ") cannot be read as " + readerSchema.getFullName() + ": " + why);
        }
        GenericDatumReader<T> reader = model instanceof SpecificData specific
            ? new SpecificDatumReader<>(writer, readerSchema, specific)
            : new GenericDatumReader<>(writer, readerSchema, model);
        return new Resolution<>(reader, null);
    }

    private String context(String topic) {
        return " (topic '" + topic + "', reading " + readerSchema.getFullName() + ")";
    }

    /** For tests: the clock (nanoseconds, as {@link System#nanoTime()}) that times the recheck of unknown ids. */
    void nanoClock(LongSupplier clock) {
        this.nanoClock = Objects.requireNonNull(clock, "clock");
    }

    /** @return the schema records are read into */
    public Schema readerSchema() {
        return readerSchema;
    }


    /** @return {@code type}, if it is a class generated from an Avro schema */
    static <T> Class<T> requireGenerated(Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (!SpecificRecord.class.isAssignableFrom(type) || type.isInterface()
            || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName() + " is not a class generated from an Avro schema; "
                + "for generic records use AvroWireDeserializer.generic(registry, readerSchema)");
        }
        return type;
    }

    /** @return the record class ({@link GenericRecord} for a generic deserializer) */
    public Class<T> type() {
        return type;
    }
}
