package io.kingfisher.schemas.wire;

import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format under the topic-name strategy
 * ({@code <topic>-value}, or {@code <topic>-key} for a key serializer). The schema is registered on
 * first use of a subject (or, with auto-registration off, looked up) and its id cached per subject;
 * it is the record class's schema, or for a {@link #generic} serializer the schema it was given;
 * encoder and buffer are reused. Thread-safe: concurrent callers take turns on the shared buffer.
 *
 * <p>Not {@link java.io.Serializable}: to ship one inside a Flink function, ship a
 * {@link SerdeConfig} and call {@link SerdeConfig#serializer()} where it runs.
 *
 * @param <T> the record type: a generated class, or {@link GenericRecord}
 */
public final class AvroWireSerializer<T extends IndexedRecord> implements Serializer<T> {

    /** Config key read by {@link #configure}: whether to register schemas (default true). */
    public static final String AUTO_REGISTER_CONFIG = "auto.register.schemas";

    private final SchemaRegistryClient registry;
    private final Class<T> type;
    private final Schema schema;
    private final GenericDatumWriter<T> writer;
    private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
    private volatile boolean isKey;
    private volatile boolean autoRegister;

    private final Object bufferLock = new Object();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;

    /** A value serializer that registers its schema. */
    public AvroWireSerializer(SchemaRegistryClient registry, Class<T> type) {
        this(registry, type, false, true);
    }

    /**
     * @param registry where schemas are registered or looked up
     * @param type the generated record class
     * @param isKey whether it writes record keys (subject {@code <topic>-key})
     * @param autoRegister whether to register the schema; if false it must be registered already
     */
    public AvroWireSerializer(SchemaRegistryClient registry, Class<T> type, boolean isKey, boolean autoRegister) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.type = requireGenerated(type);
        this.schema = SpecificData.getForClass(type).getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema, customCoders(type));
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    private AvroWireSerializer(SchemaRegistryClient registry, Class<T> type, Schema schema, boolean isKey,
                               boolean autoRegister) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.type = type;
        this.schema = Objects.requireNonNull(schema, "schema");
        this.writer = new GenericDatumWriter<>(schema, GenericData.get());
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    /**
     * A serializer of {@link GenericRecord}s written with {@code schema}, for record types without a
     * generated class.
     *
     * @param registry where the schema is registered or looked up
     * @param schema the schema records are written with
     * @param isKey whether it writes record keys (subject {@code <topic>-key})
     * @param autoRegister whether to register the schema; if false it must be registered already
     */
    public static AvroWireSerializer<GenericRecord> generic(SchemaRegistryClient registry, Schema schema,
                                                            boolean isKey, boolean autoRegister) {
        return new AvroWireSerializer<>(registry, GenericRecord.class, schema, isKey, autoRegister);
    }

    /**
     * Sets whether this serializer writes keys, and reads {@value #AUTO_REGISTER_CONFIG} if present.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        Object auto = configs.get(AUTO_REGISTER_CONFIG);
        if (auto != null) {
            String text = auto.toString().strip();
            if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(
                    AUTO_REGISTER_CONFIG + " must be true or false, got '" + auto + "'");
            }
            this.autoRegister = Boolean.parseBoolean(text);
        }
        idsBySubject.clear();
    }

    /**
     * @param topic the topic the record goes to (names the subject)
     * @param record the record, or null for a tombstone
     * @return the record in the wire format, or null for a null record
     * @throws WireFormatException {@code SCHEMA_REJECTED} when the registry refuses or does not know
     *     the schema, {@code REGISTRY_UNAVAILABLE} when it cannot be reached, {@code MALFORMED_AVRO}
     *     when the record does not fit the schema (e.g. a null required field, or another schema)
     */
    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema recordSchema = record.getSchema();
        if (recordSchema != schema && !recordSchema.equals(schema)) {
            throw new WireFormatException(WireFormatException.Kind.MALFORMED_AVRO, "cannot encode a "
                + recordSchema.getFullName() + " record for topic '" + topic + "': its schema is not the schema of "
                + "this serializer (" + schema.getFullName() + ")");
        }
        int id = schemaId(topic);
        synchronized (bufferLock) {
            buffer.reset();
            ConfluentWireFormat.writeHeader(buffer, id);
            try {
                encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
                writer.write(record, encoder);
                encoder.flush();
            } catch (IOException | RuntimeException e) {
                encoder = null; // its buffer may hold part of the failed record
                throw new WireFormatException(WireFormatException.Kind.MALFORMED_AVRO,
                    "cannot encode " + schema.getFullName() + " for topic '" + topic + "': " + diagnose(record, e), e);
            }
            return buffer.toByteArray();
        }
    }

    /**
     * Why {@code record} cannot be written: a generated encoder's failure does not name the field, so the record is
     * written once more through Avro's generic path, whose message does.
     */
    private String diagnose(T record, Exception failure) {
        if (writer instanceof SpecificDatumWriter) { // a generated class's writer, which has its encoders on
            try {
                new SpecificDatumWriter<T>(schema, SpecificData.getForClass(type))
                    .write(record, EncoderFactory.get().binaryEncoder(new ByteArrayOutputStream(), null));
            } catch (IOException | RuntimeException e) {
                return e.getMessage();
            }
        }
        return failure.getMessage();
    }

    /**
     * The id of this serializer's schema under the topic's subject: registered (or looked up) on the
     * first call for a subject, then cached.
     *
     * @throws WireFormatException {@code SCHEMA_REJECTED} or {@code REGISTRY_UNAVAILABLE}
     */
    public int schemaId(String topic) {
        String subject = ConfluentWireFormat.subject(topic, isKey);
        Integer id = idsBySubject.get(subject);
        if (id == null) {
            id = resolveId(subject);
            idsBySubject.put(subject, id);
        }
        return id;
    }

    private int resolveId(String subject) {
        try {
            if (autoRegister) {
                return registry.register(subject, schema);
            }
            Optional<Integer> found = registry.lookup(subject, schema).map(m -> m.id());
            return found.orElseThrow(() -> new WireFormatException(WireFormatException.Kind.SCHEMA_REJECTED,
                "schema " + schema.getFullName() + " is not registered under subject '" + subject
                    + "' and auto-registration is off"));
        } catch (SchemaRegistryException e) {
            WireFormatException.Kind kind = e.isUnavailable()
                ? WireFormatException.Kind.REGISTRY_UNAVAILABLE
                : WireFormatException.Kind.SCHEMA_REJECTED;
            throw new WireFormatException(kind, "cannot " + (autoRegister ? "register" : "look up") + " schema "
                + schema.getFullName() + " under subject '" + subject + "': " + e.getMessage(), e);
        }
    }

    /** @return the schema records are written with */
    public Schema schema() {
        return schema;
    }


    /**
     * The class's data model, copied, with the generated classes' own encoders turned on: a generated record
     * without logical types writes itself field by field instead of through reflection-like lookups per field
     * (about half the cost of writing a Score). Avro leaves them off unless a system property says otherwise; the
     * class's shared model is left as it is.
     */
    static SpecificData customCoders(Class<?> type) {
        SpecificData shared = SpecificData.getForClass(type);
        SpecificData own = new SpecificData(type.getClassLoader());
        shared.getConversions().forEach(own::addLogicalTypeConversion);
        own.setCustomCoders(true);
        return own;
    }

    /** @return {@code type}, if it is a class generated from an Avro schema */
    static <T> Class<T> requireGenerated(Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (!SpecificRecord.class.isAssignableFrom(type) || type.isInterface()
            || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(type.getName() + " is not a class generated from an Avro schema; "
                + "for generic records use AvroWireSerializer.generic(registry, schema, isKey, autoRegister)");
        }
        return type;
    }

    /** @return the record class ({@link GenericRecord} for a generic serializer) */
    public Class<T> type() {
        return type;
    }

    /** @return whether it writes record keys */
    public boolean isKey() {
        return isKey;
    }

    /** @return whether it registers its schema */
    public boolean autoRegister() {
        return autoRegister;
    }
}
