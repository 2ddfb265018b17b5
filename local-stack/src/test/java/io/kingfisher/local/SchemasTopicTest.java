package io.kingfisher.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kingfisher.local.SchemaRegistryState.ConfigEntry;
import io.kingfisher.local.SchemaRegistryState.SchemaEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record shapes of the {@code _schemas} topic, without Kafka. */
class SchemasTopicTest {

    private static final String SCHEMA = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";

    @Test
    void writesConfluentShapedRecords() {
        assertEquals("{\"keytype\":\"SCHEMA\",\"subject\":\"fraud.events-value\",\"version\":3,\"magic\":1}",
            SchemasTopic.schemaKey("fraud.events-value", 3));
        assertEquals("{\"subject\":\"s\",\"version\":1,\"id\":7,\"schema\":\"{\\\"type\\\":\\\"int\\\"}\","
            + "\"deleted\":false}", SchemasTopic.schemaValue(new SchemaEntry("s", 1, 7, "{\"type\":\"int\"}", false)));
        assertEquals("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}", SchemasTopic.configKey(null));
        assertEquals("{\"keytype\":\"CONFIG\",\"subject\":\"s\",\"magic\":0}", SchemasTopic.configKey("s"));
        assertEquals("{\"compatibilityLevel\":\"FULL\"}",
            SchemasTopic.configValue(new ConfigEntry("s", CompatibilityLevel.FULL)));
        assertNull(SchemasTopic.configValue(new ConfigEntry("s", null)));
    }

    @Test
    void readsWhatItWritesAndWhatConfluentWrites() {
        SchemaRegistryState state = new SchemaRegistryState();
        SchemaEntry entry = new SchemaEntry("s", 1, 4, SCHEMA, false);
        SchemasTopic.applyRecord(SchemasTopic.schemaKey("s", 1), SchemasTopic.schemaValue(entry), state);
        SchemasTopic.applyRecord(SchemasTopic.configKey(null),
            SchemasTopic.configValue(new ConfigEntry(null, CompatibilityLevel.FORWARD)), state);
        SchemasTopic.applyRecord("{\"keytype\":\"CONFIG\",\"subject\":\"s\",\"magic\":0}",
            "{\"compatibilityLevel\":\"none\",\"alias\":null}", state);
        SchemasTopic.applyRecord("{\"keytype\":\"NOOP\",\"magic\":0}", null, state);
        SchemasTopic.applyRecord("{\"keytype\":\"SCHEMA\",\"subject\":\"p\",\"version\":1,\"magic\":1}",
            "{\"subject\":\"p\",\"version\":1,\"id\":8,\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\","
                + "\"deleted\":false}", state);

        assertEquals(SCHEMA, state.schema(4));
        assertEquals(List.of("s"), state.subjects());
        assertEquals(CompatibilityLevel.FORWARD, state.globalCompatibility());
        assertEquals(CompatibilityLevel.NONE, state.effectiveCompatibility("s"));
        assertEquals(9, state.planRegister("q", "\"string\"").id(), "the PROTOBUF schema's id stays taken");

        SchemasTopic.applyRecord("{\"keytype\":\"CONFIG\",\"subject\":\"s\",\"magic\":0}", null, state);
        assertEquals(CompatibilityLevel.FORWARD, state.effectiveCompatibility("s"));
        SchemasTopic.applyRecord(SchemasTopic.schemaKey("s", 1), null, state);
        assertEquals(List.of(), state.subjects());
    }

    @Test
    void malformedRecordsAreNamed() {
        SchemaRegistryState state = new SchemaRegistryState();
        assertEquals("record key is not JSON: Unrecognized token 'oops': was expecting (JSON String, Number, Array, "
                + "Object or token 'null', 'true' or 'false')",
            assertThrows(IllegalArgumentException.class, () -> SchemasTopic.applyRecord("oops", "{}", state))
                .getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> SchemasTopic.applyRecord(SchemasTopic.schemaKey("s", 1), "{\"subject\":\"s\"}", state));
        assertThrows(RegistryError.class, () -> SchemasTopic.applyRecord(SchemasTopic.configKey(null),
            "{\"compatibilityLevel\":\"SIDEWAYS\"}", state));
    }
}
