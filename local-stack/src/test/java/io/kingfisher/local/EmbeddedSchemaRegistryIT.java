package io.kingfisher.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.fraud.Channel;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaMetadata;
import io.kingfisher.schemas.registry.SchemaRegistryException;
import io.kingfisher.schemas.wire.ConfluentWireFormat;
import io.kingfisher.schemas.wire.SerdeConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The registry over HTTP, through {@link RestSchemaRegistryClient} and raw requests. */
class EmbeddedSchemaRegistryIT {

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    static EmbeddedSchemaRegistry registry;
    static RestSchemaRegistryClient client;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        client = new RestSchemaRegistryClient(registry.url());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Schema record(String name, String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"it\","
            + "\"fields\":[" + fields + "]}");
    }

    private static final String A = "{\"name\":\"a\",\"type\":\"int\"}";
    private static final String B_DEFAULT = "{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}";
    private static final String C_REQUIRED = "{\"name\":\"c\",\"type\":\"long\"}";

    private static SchemaRegistryException refused(int status, int errorCode, Executable call) {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, call);
        assertEquals(status, e.httpStatus(), e.getMessage());
        assertEquals(errorCode, e.errorCode(), e.getMessage());
        return e;
    }

    private static HttpResponse<String> http(String method, String path, String contentType, String body)
        throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + path))
            .timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void registersAndServesVersionsByIdVersionAndLookup() {
        Schema v1 = record("Reg", A);
        Schema v2 = record("Reg", A + "," + B_DEFAULT);
        int id1 = client.register("reg-value", v1);
        int id2 = client.register("reg-value", v2);
        assertNotEquals(id1, id2);
        assertEquals(id2, client.register("reg-value", v2), "registering again returns the id");
        assertEquals(id1, client.register("reg-copy-value", v1), "the same schema has one id across subjects");

        RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(registry.url()); // no cache
        assertEquals(v1, fresh.getById(id1));
        assertEquals(v2, fresh.getById(id2));
        assertEquals(new SchemaMetadata("reg-value", id2, 2, v2.toString()), fresh.getLatest("reg-value"));
        assertEquals(new SchemaMetadata("reg-value", id1, 1, v1.toString()), fresh.getVersion("reg-value", 1));
        assertEquals(List.of(1, 2), fresh.versions("reg-value"));
        assertTrue(fresh.subjects().containsAll(List.of("reg-value", "reg-copy-value")), fresh.subjects().toString());
        assertEquals(Optional.of(new SchemaMetadata("reg-value", id1, 1, v1.toString())), fresh.lookup("reg-value", v1));
        assertEquals(Optional.empty(), fresh.lookup("reg-value", record("Reg", C_REQUIRED)));
        assertEquals(Optional.empty(), fresh.lookup("no-such-subject", v1));
    }

    @Test
    void subjectsWithReservedUrlCharactersRoundTrip() {
        String subject = "odd subject/with+chars?&%-value";
        int id = client.register(subject, record("Odd", A));
        assertEquals(new SchemaMetadata(subject, id, 1, record("Odd", A).toString()), client.getLatest(subject));
        assertTrue(client.subjects().contains(subject));
        client.setCompatibility(subject, "NONE");
        assertEquals("NONE", client.getCompatibility(subject));
    }

    @Test
    void missingThingsHaveConfluentErrorCodes() {
        SchemaRegistryException subject = refused(404, 40401, () -> client.getLatest("missing-value"));
        assertEquals("schema registry " + registry.url() + " refused GET /subjects/missing-value/versions/latest: "
            + "Subject 'missing-value' not found. (HTTP 404, error code 40401)", subject.getMessage());
        refused(404, 40401, () -> client.versions("missing-value"));
        client.register("found-value", record("Found", A));
        refused(404, 40402, () -> client.getVersion("found-value", 9));
        SchemaRegistryException id = refused(404, 40403, () -> client.getById(987_654));
        assertTrue(id.getMessage().contains("Schema 987654 not found"), id.getMessage());
    }

    @Test
    void incompatibleSchemaIsRejectedWith409() {
        client.register("compat-value", record("Compat", A));
        Schema breaking = record("Compat", A + "," + C_REQUIRED);
        assertFalse(client.testCompatibility("compat-value", breaking));
        assertTrue(client.testCompatibility("compat-value", record("Compat", A + "," + B_DEFAULT)));
        assertTrue(client.testCompatibility("compat-never-registered", breaking));
        SchemaRegistryException e = refused(409, 409, () -> client.register("compat-value", breaking));
        assertTrue(e.getMessage().contains("Schema being registered is incompatible with an earlier schema for "
            + "subject \"compat-value\""), e.getMessage());
        assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.getMessage());
        assertEquals(List.of(1), client.versions("compat-value"));

        client.setCompatibility("compat-value", "NONE");
        int id = client.register("compat-value", breaking);
        assertEquals(List.of(1, 2), client.versions("compat-value"), "NONE accepts it");
        assertEquals(id, client.getLatest("compat-value").id());
    }

    @Test
    void compatibilityLevelsPerSubjectAndGlobal() {
        assertEquals("BACKWARD", client.getCompatibility(null));
        assertEquals("BACKWARD", client.getCompatibility("config-value"), "a subject without a level gets the global");
        client.setCompatibility("config-value", "full_transitive");
        assertEquals("FULL_TRANSITIVE", client.getCompatibility("config-value"));
        assertEquals("BACKWARD", client.getCompatibility(null));
        SchemaRegistryException e = refused(422, 42203, () -> client.setCompatibility("config-value", "SIDEWAYS"));
        assertTrue(e.getMessage().contains("Invalid compatibility level 'SIDEWAYS'"), e.getMessage());
        assertEquals("FULL_TRANSITIVE", client.getCompatibility("config-value"));
    }

    @Test
    void answersInConfluentsJsonShapes() throws Exception {
        HttpResponse<String> missing = http("GET", "/subjects/x/versions", null, null);
        assertEquals(404, missing.statusCode());
        assertEquals("application/vnd.schemaregistry.v1+json", missing.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}", missing.body());

        String body = "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"J\\\",\\\"fields\\\":[]}\"}";
        HttpResponse<String> registered = http("POST", "/subjects/json-value/versions", "application/json", body);
        assertEquals(200, registered.statusCode(), registered.body());
        assertTrue(registered.body().matches("\\{\"id\":\\d+}"), registered.body());
        HttpResponse<String> version = http("GET", "/subjects/json-value/versions/1", null, null);
        assertEquals("{\"subject\":\"json-value\",\"version\":1,\"id\":" + registered.body().replaceAll("\\D", "")
            + ",\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"J\\\",\\\"fields\\\":[]}\"}", version.body());
        assertEquals("{\"type\":\"record\",\"name\":\"J\",\"fields\":[]}",
            http("GET", "/subjects/json-value/versions/latest/schema", null, null).body());
        assertEquals("[\"AVRO\"]", http("GET", "/schemas/types", null, null).body());
        assertEquals("{\"compatibilityLevel\":\"BACKWARD\"}", http("GET", "/config", null, null).body());
        HttpResponse<String> noLevel = http("GET", "/config/json-value", null, null);
        assertEquals(404, noLevel.statusCode());
        assertEquals(40408, Integer.parseInt(noLevel.body().replaceAll(".*\"error_code\":(\\d+).*", "$1")));

        HttpResponse<String> protobuf = http("POST", "/subjects/p-value/versions", RestSchemaRegistryClient.CONTENT_TYPE,
            "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
        assertEquals(422, protobuf.statusCode());
        assertTrue(protobuf.body().startsWith("{\"error_code\":42201,"), protobuf.body());
        HttpResponse<String> invalid = http("POST", "/subjects/p-value/versions", RestSchemaRegistryClient.CONTENT_TYPE,
            "{\"schema\":\"{\\\"type\\\":\\\"nonsense\\\"}\"}");
        assertEquals(422, invalid.statusCode());
        assertTrue(invalid.body().startsWith("{\"error_code\":42201,\"message\":\"Invalid schema"), invalid.body());
        assertEquals(415, http("POST", "/subjects/p-value/versions", "text/plain", body).statusCode());
        assertEquals(400, http("POST", "/subjects/p-value/versions", "application/json", "{not json").statusCode());
        assertEquals(422, http("GET", "/subjects/json-value/versions/zero", null, null).statusCode());
        assertEquals("{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}",
            http("GET", "/nothing/here", null, null).body());
        assertEquals(405, http("DELETE", "/subjects/json-value/versions", null, null).statusCode());
    }

    @Test
    void serdeConfigShippedSerializedWritesAndReadsThroughKafka() throws Exception {
        String topic = "fraud.events";
        broker.createTopic(topic, 2, Map.of());
        SerdeConfig<PaymentTransaction> shipped = javaCopy(SerdeConfig.forValues(registry.url(),
            PaymentTransaction.class));
        PaymentTransaction tx = PaymentTransaction.newBuilder().setTransactionId("tx-1").setCardId("card-1")
            .setMerchantId("m").setMerchantCategory("5411").setAmount(9.99).setCurrency("EUR").setCountry("NL")
            .setChannel(Channel.CONTACTLESS).setEventTime(1_700_000_000_000L).build();
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, PaymentTransaction> producer =
                 new KafkaProducer<>(producerProps, new StringSerializer(), shipped.serializer())) {
            producer.send(new ProducerRecord<>(topic, "card-1", tx)).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-it");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer =
                 new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            ConsumerRecord<String, byte[]> received = null;
            while (received == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    received = r;
                }
            }
            assertTrue(received != null, "no record within 60 s");
            int id = client.getLatest("fraud.events-value").id();
            assertEquals(id, ConfluentWireFormat.readSchemaId(received.value()));
            assertEquals(PaymentTransaction.getClassSchema(), client.getById(id));
            assertEquals(tx, javaCopy(shipped).deserializer().deserialize(topic, received.value()));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T javaCopy(T object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
