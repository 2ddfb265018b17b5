package io.kingfisher.schemas.topic;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with the serdes of its keys and values, so producers, consumers and topologies
 * agree on both the name and the encoding.
 *
 * @param name the topic name
 * @param keySerde the serde of record keys
 * @param valueSerde the serde of record values
 * @param <K> the key type
 * @param <V> the value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    /** Checks the name (Kafka's legal topic names) and the serdes. */
    public Topic {
        Topics.requireLegalName(name);
        Objects.requireNonNull(keySerde, () -> "keySerde of topic '" + name + "'");
        Objects.requireNonNull(valueSerde, () -> "valueSerde of topic '" + name + "'");
    }

    /** @return a topic named {@code name} with these serdes */
    public static <K, V> Topic<K, V> of(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        return new Topic<>(name, keySerde, valueSerde);
    }

    /** @return {@code key} encoded by the key serde for this topic */
    public byte[] serializeKey(K key) {
        return keySerde.serializer().serialize(name, key);
    }

    /** @return {@code value} encoded by the value serde for this topic */
    public byte[] serializeValue(V value) {
        return valueSerde.serializer().serialize(name, value);
    }

    /** @return {@code bytes} decoded by the key serde for this topic */
    public K deserializeKey(byte[] bytes) {
        return keySerde.deserializer().deserialize(name, bytes);
    }

    /** @return {@code bytes} decoded by the value serde for this topic */
    public V deserializeValue(byte[] bytes) {
        return valueSerde.deserializer().deserialize(name, bytes);
    }

    @Override
    public String toString() {
        return "Topic[" + name + "]";
    }
}
