package io.kingfisher.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's storage: the compacted, single-partition Kafka topic {@code _schemas}, with
 * records keyed and shaped as Confluent's registry writes them, e.g. key
 * {@code {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}} and value
 * {@code {"subject":"s","version":1,"id":1,"schema":"...","deleted":false}}; key
 * {@code {"keytype":"CONFIG","subject":null,"magic":0}} and value {@code {"compatibilityLevel":"FULL"}}.
 * Writes are synchronous (acks=all, idempotent producer); reading applies each record to a
 * {@link SchemaRegistryState}. Not thread-safe: the registry serializes its writes.
 */
final class SchemasTopic implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemasTopic.class);
    static final String TOPIC = "_schemas";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryState state;
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;

    /**
     * Creates the topic if needed and reads it to the end into {@code state}.
     *
     * @throws RegistryError 50001 when the topic cannot be created or read
     */
    SchemasTopic(String bootstrapServers, SchemaRegistryState state) {
        this.state = state;
        ensureTopic(bootstrapServers);
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() / 2);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kingfisher-schema-registry-writer");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "kingfisher-schema-registry-reader");
        try {
            this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        try {
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            catchUp();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void ensureTopic(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()))) {
            int brokers = admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            short replication = (short) Math.max(1, Math.min(3, brokers));
            NewTopic topic = new NewTopic(TOPIC, 1, replication).configs(Map.of("cleanup.policy", "compact"));
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created schema registry topic {} (replication factor {})", TOPIC, replication);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            TopicDescription description = describe(admin);
            if (description.partitions().size() != 1) {
                throw RegistryError.storeError("topic " + TOPIC + " has " + description.partitions().size()
                    + " partitions; the schema registry needs exactly 1 to keep its records in order", null);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw RegistryError.storeError("cannot create or describe topic " + TOPIC + " on " + bootstrapServers
                + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("interrupted while creating topic " + TOPIC, e);
        }
    }

    /**
     * Describes the topic, waiting out the moment after its creation when the broker's metadata does not list it
     * yet ({@code UnknownTopicOrPartitionException}); any other failure, or the timeout, is thrown.
     */
    private static TopicDescription describe(Admin admin)
        throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(Set.of(TOPIC)).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(TOPIC);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                    || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Applies every record up to the current end of the topic. */
    void catchUp() {
        long end;
        try {
            end = consumer.endOffsets(List.of(PARTITION), TIMEOUT).get(PARTITION);
        } catch (RuntimeException e) {
            throw RegistryError.storeError("cannot read the end offset of topic " + TOPIC + ": " + e.getMessage(), e);
        }
        catchUpTo(end);
    }

    private void catchUpTo(long offset) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (consumer.position(PARTITION, TIMEOUT) < offset) {
                if (System.nanoTime() > deadline) {
                    throw RegistryError.storeError("reading topic " + TOPIC + " up to offset " + offset + " took longer "
                        + "than " + TIMEOUT.toSeconds() + " s (at offset " + consumer.position(PARTITION) + ")", null);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    apply(record);
                }
            }
        } catch (RegistryError e) {
            throw e;
        } catch (RuntimeException e) {
            throw RegistryError.storeError("cannot read topic " + TOPIC + ": " + e.getMessage(), e);
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        try {
            applyRecord(record.key(), record.value(), state);
        } catch (RuntimeException e) {
            LOG.warn("Skipping record at offset {} of topic {} that is not a schema registry record: {}",
                record.offset(), TOPIC, e.getMessage());
        }
    }

    /** Writes a version and waits until it is stored and applied. */
    void write(SchemaRegistryState.SchemaEntry entry) {
        write(schemaKey(entry.subject(), entry.version()), schemaValue(entry));
    }

    /** Writes a compatibility setting and waits until it is stored and applied. */
    void write(SchemaRegistryState.ConfigEntry entry) {
        write(configKey(entry.subject()), configValue(entry));
    }

    private void write(String key, String value) {
        RecordMetadata written;
        try {
            written = producer.send(new ProducerRecord<>(TOPIC, 0, key, value))
                .get(TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw RegistryError.storeError("Error while writing to topic " + TOPIC + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw RegistryError.storeError("Writing to topic " + TOPIC + " took longer than " + TIMEOUT.toSeconds()
                + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("Interrupted while writing to topic " + TOPIC, e);
        }
        catchUpTo(written.offset() + 1);
    }

    // ------------------------------------------------------------------------------ record shapes

    static String schemaKey(String subject, int version) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
        return key.toString();
    }

    static String schemaValue(SchemaRegistryState.SchemaEntry entry) {
        ObjectNode value = JSON.createObjectNode();
        value.put("subject", entry.subject()).put("version", entry.version()).put("id", entry.id())
            .put("schema", entry.schema()).put("deleted", entry.deleted());
        return value.toString();
    }

    static String configKey(String subjectOrNull) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", "CONFIG").put("subject", subjectOrNull).put("magic", 0);
        return key.toString();
    }

    static String configValue(SchemaRegistryState.ConfigEntry entry) {
        if (entry.level() == null) {
            return null;
        }
        return JSON.createObjectNode().put("compatibilityLevel", entry.level().name()).toString();
    }

    /**
     * Applies one record of the topic to {@code state}. Records of other kinds Confluent writes
     * (NOOP, MODE, DELETE_SUBJECT, ...) and schemas of other types are skipped.
     *
     * @throws IllegalArgumentException when the record is not JSON of the expected shape
     */
    static void applyRecord(String keyText, String valueText, SchemaRegistryState state) {
        JsonNode key = readJson(keyText, "key");
        String keytype = key.path("keytype").asText("");
        switch (keytype) {
            case "SCHEMA" -> {
                String subject = requiredText(key, "subject");
                int version = requiredInt(key, "version");
                if (valueText == null) {
                    state.removeVersion(subject, version);
                    return;
                }
                JsonNode value = readJson(valueText, "value");
                int id = requiredInt(value, "id");
                String type = value.path("schemaType").asText("AVRO");
                if (!type.equalsIgnoreCase("AVRO")) {
                    state.reserveId(id);
                    LOG.info("Skipping {} schema id {} (version {} of subject '{}'): only AVRO is served", type, id,
                        version, subject);
                    return;
                }
                state.apply(new SchemaRegistryState.SchemaEntry(subject, version, id, requiredText(value, "schema"),
                    value.path("deleted").asBoolean(false)));
            }
            case "CONFIG" -> {
                JsonNode subjectNode = key.get("subject");
                String subject = subjectNode == null || subjectNode.isNull() ? null : subjectNode.asText();
                CompatibilityLevel level = null;
                if (valueText != null) {
                    JsonNode levelNode = readJson(valueText, "value").get("compatibilityLevel");
                    level = levelNode == null || levelNode.isNull() ? null : CompatibilityLevel.parse(levelNode.asText());
                }
                state.apply(new SchemaRegistryState.ConfigEntry(subject, level));
            }
            default -> LOG.debug("Skipping {} record of topic {}", keytype.isEmpty() ? "untyped" : keytype, TOPIC);
        }
    }

    private static JsonNode readJson(String text, String what) {
        if (text == null) {
            throw new IllegalArgumentException("record " + what + " is null");
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("record " + what + " is not a JSON object: " + text);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("record " + what + " is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is missing or not text in " + node);
        }
        return value.textValue();
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + field + "' is missing or not an int in " + node);
        }
        return value.intValue();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
