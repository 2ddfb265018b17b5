package io.kingfisher.schemas.wire;

import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import java.io.Serializable;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A serializable recipe for the wire-format serde of one record type: the registry URL, the
 * record class, key or value, and whether to auto-register. Flink ships functions serialized, so a
 * function holds one of these and builds its serializer or deserializer where it runs, on first
 * use; the built objects (and the registry client they share) are cached per instance and not
 * serialized.
 *
 * @param <T> the record type
 */
public final class SerdeConfig<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String registryUrl;
    private final Class<T> type;
    private final boolean isKey;
    private final boolean autoRegister;

    private transient SchemaRegistryClient client;
    private transient AvroWireSerializer<T> serializer;
    private transient AvroWireDeserializer<T> deserializer;

    private SerdeConfig(String registryUrl, Class<T> type, boolean isKey, boolean autoRegister) {
        this.registryUrl = Objects.requireNonNull(registryUrl, "registryUrl");
        this.type = Objects.requireNonNull(type, "type");
        if (registryUrl.isBlank()) {
            throw new IllegalArgumentException("registryUrl must not be blank (record type " + type.getName() + ")");
        }
        this.isKey = isKey;
        this.autoRegister = autoRegister;
    }

    /** @return a value serde recipe that auto-registers, for the registry at {@code registryUrl} */
    public static <T extends SpecificRecord> SerdeConfig<T> forValues(String registryUrl, Class<T> type) {
        return new SerdeConfig<>(registryUrl, type, false, true);
    }

    /** @return a key serde recipe that auto-registers, for the registry at {@code registryUrl} */
    public static <T extends SpecificRecord> SerdeConfig<T> forKeys(String registryUrl, Class<T> type) {
        return new SerdeConfig<>(registryUrl, type, true, true);
    }

    /** @return a copy that registers schemas ({@code true}) or only looks them up ({@code false}) */
    public SerdeConfig<T> withAutoRegister(boolean autoRegister) {
        return new SerdeConfig<>(registryUrl, type, isKey, autoRegister);
    }

    /** @return the registry URL (or comma-separated URLs) */
    public String registryUrl() {
        return registryUrl;
    }

    /** @return the record class */
    public Class<T> type() {
        return type;
    }

    /** @return whether the serde is for record keys */
    public boolean isKey() {
        return isKey;
    }

    /** @return whether the serializer registers its schema */
    public boolean autoRegister() {
        return autoRegister;
    }

    /** @return the registry client, built on first call */
    public synchronized SchemaRegistryClient client() {
        if (client == null) {
            client = new RestSchemaRegistryClient(registryUrl);
        }
        return client;
    }

    /** @return the serializer, built on first call */
    public synchronized AvroWireSerializer<T> serializer() {
        if (serializer == null) {
            serializer = new AvroWireSerializer<>(client(), type, isKey, autoRegister);
        }
        return serializer;
    }

    /** @return the deserializer, built on first call */
    public synchronized AvroWireDeserializer<T> deserializer() {
        if (deserializer == null) {
            deserializer = new AvroWireDeserializer<>(client(), type);
        }
        return deserializer;
    }

    /** @return a Kafka serde of {@link #serializer()} and {@link #deserializer()} */
    public Serde<T> serde() {
        return Serdes.serdeFrom(serializer(), deserializer());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerdeConfig<?> other && registryUrl.equals(other.registryUrl) && type.equals(other.type)
            && isKey == other.isKey && autoRegister == other.autoRegister;
    }

    @Override
    public int hashCode() {
        return Objects.hash(registryUrl, type, isKey, autoRegister);
    }

    @Override
    public String toString() {
        return "SerdeConfig[" + type.getName() + (isKey ? " key" : " value") + " @ " + registryUrl
            + (autoRegister ? ", auto-register" : ", lookup only") + "]";
    }
}
