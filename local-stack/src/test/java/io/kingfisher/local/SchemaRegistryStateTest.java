package io.kingfisher.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.local.SchemaRegistryState.ConfigEntry;
import io.kingfisher.local.SchemaRegistryState.Registration;
import io.kingfisher.local.SchemaRegistryState.SchemaEntry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SchemaRegistryStateTest {

    private final SchemaRegistryState state = new SchemaRegistryState();

    private static String record(String fields) {
        return "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":[" + fields + "]}";
    }

    private static final String A_INT = "{\"name\":\"a\",\"type\":\"int\"}";
    private static final String B_REQUIRED = "{\"name\":\"b\",\"type\":\"string\"}";
    private static final String B_DEFAULT = "{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}";

    /** Plans and applies, as the registry does after storing. */
    private int register(String subject, String schema) {
        Registration plan = state.planRegister(subject, schema);
        if (plan.toStore() != null) {
            state.apply(plan.toStore());
        }
        return plan.id();
    }

    private void setLevel(String subject, String level) {
        state.apply(state.planCompatibility(subject, level));
    }

    private static RegistryError refused(int errorCode, Executable call) {
        RegistryError e = assertThrows(RegistryError.class, call);
        assertEquals(errorCode, e.errorCode, e.getMessage());
        return e;
    }

    @Test
    void newSchemasGetNewIdsAndVersions() {
        assertEquals(1, register("s", record(A_INT)));
        assertEquals(2, register("s", record(A_INT + "," + B_DEFAULT)));
        assertEquals(List.of(1, 2), state.versions("s"));
        SchemaEntry latest = state.version("s", "latest");
        assertEquals(new SchemaEntry("s", 2, 2, latest.schema(), false), latest);
        assertEquals(latest, state.version("s", "-1"));
        assertEquals(1, state.version("s", "1").id());
        assertEquals(List.of("s"), state.subjects());
    }

    @Test
    void sameCanonicalSchemaKeepsItsIdWithinAndAcrossSubjects() {
        int id = register("s", record(A_INT));
        Registration again = state.planRegister("s", "  {\"type\": \"record\", \"name\": \"R\", \"namespace\": \"t\","
            + "\n \"fields\": [ {\"name\": \"a\", \"type\": \"int\"} ] }");
        assertEquals(new Registration(id, null), again, "nothing to store for a schema the subject has");
        assertEquals(id, register("other", record(A_INT)));
        assertEquals(1, state.version("other", "latest").version());
        assertEquals(List.of("other", "s"), state.usesOf(id).stream().map(SchemaEntry::subject).toList());
        assertEquals("{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":[{\"name\":\"a\","
            + "\"type\":\"int\"}]}", state.schema(id));
    }

    @Test
    void backwardIsTheDefaultAndRejectsANewRequiredField() {
        assertEquals(CompatibilityLevel.BACKWARD, state.globalCompatibility());
        register("s", record(A_INT));
        RegistryError e = refused(409, () -> register("s", record(A_INT + "," + B_REQUIRED)));
        assertEquals(409, e.httpStatus);
        assertTrue(e.getMessage().startsWith("Schema being registered is incompatible with an earlier schema for "
            + "subject \"s\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'"), e.getMessage());
        assertTrue(e.getMessage().contains("{oldSchemaVersion: 1}"), e.getMessage());
        assertTrue(e.getMessage().endsWith("{compatibility: 'BACKWARD'}]"), e.getMessage());
        assertEquals(List.of(1), state.versions("s"), "nothing registered");
        // Removing a field is backward compatible: the new reader ignores it.
        register("s", record(B_DEFAULT));
    }

    @Test
    void forwardRejectsRemovingARequiredField() {
        setLevel(null, "forward");
        register("s", record(A_INT + "," + B_REQUIRED));
        refused(409, () -> register("s", record(A_INT)));
        assertEquals(2, register("s", record(A_INT + "," + B_REQUIRED + ",{\"name\":\"c\",\"type\":\"int\"}")));
    }

    @Test
    void fullNeedsBothDirections() {
        setLevel("s", "FULL");
        register("s", record(A_INT));
        refused(409, () -> register("s", record(A_INT + "," + B_REQUIRED)));
        register("s", record(A_INT + "," + B_DEFAULT));
        refused(409, () -> register("s", record(B_DEFAULT)));
    }

    @Test
    void transitiveLevelsCheckEveryVersion() {
        String v1 = record(A_INT);
        String v2 = record(B_DEFAULT);
        String v3 = record(B_DEFAULT + ",{\"name\":\"a\",\"type\":\"string\",\"default\":\"\"}");
        register("plain", v1);
        register("plain", v2);
        register("plain", v3); // reads v2 data; would not read v1's int a as a string
        setLevel("strict", "BACKWARD_TRANSITIVE");
        register("strict", v1);
        register("strict", v2);
        RegistryError e = refused(409, () -> register("strict", v3));
        assertTrue(e.getMessage().contains("{oldSchemaVersion: 1}"), e.getMessage());
        assertTrue(e.getMessage().contains("TYPE_MISMATCH"), e.getMessage());
    }

    @Test
    void noneAcceptsAnythingAndSubjectLevelOverridesGlobal() {
        setLevel(null, "FULL_TRANSITIVE");
        setLevel("loose", "NONE");
        register("loose", record(A_INT));
        register("loose", record(B_REQUIRED));
        assertEquals(CompatibilityLevel.NONE, state.effectiveCompatibility("loose"));
        assertEquals(CompatibilityLevel.FULL_TRANSITIVE, state.effectiveCompatibility("other"));
        assertEquals(Optional.empty(), state.subjectCompatibility("other"));
        state.apply(new ConfigEntry("loose", null));
        assertEquals(CompatibilityLevel.FULL_TRANSITIVE, state.effectiveCompatibility("loose"));
    }

    @Test
    void invalidInputIsNamed() {
        assertEquals("Empty schema", refused(42201, () -> register("s", " ")).getMessage());
        RegistryError bad = refused(42201, () -> register("s", "{\"type\":\"record\",\"name\":\"R\"}"));
        assertTrue(bad.getMessage().startsWith("Invalid schema {\"type\":\"record\",\"name\":\"R\"}, details: "),
            bad.getMessage());
        assertEquals(422, bad.httpStatus);
        refused(42201, () -> register("s", record("{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}")));
        RegistryError level = refused(42203, () -> state.planCompatibility(null, "SIDEWAYS"));
        assertTrue(level.getMessage().startsWith("Invalid compatibility level 'SIDEWAYS'. Valid values are none, "),
            level.getMessage());
        refused(42208, () -> register("", record(A_INT)));
    }

    @Test
    void missingSubjectsVersionsAndSchemasHaveConfluentCodes() {
        register("s", record(A_INT));
        assertEquals("Subject 'nope' not found.", refused(40401, () -> state.versions("nope")).getMessage());
        assertEquals("Version 7 not found.", refused(40402, () -> state.version("s", "7")).getMessage());
        refused(40401, () -> state.version("nope", "1"));
        for (String bad : List.of("0", "-2", "abc", "")) {
            RegistryError e = refused(42202, () -> state.version("s", bad));
            assertEquals("The specified version '" + bad + "' is not a valid version id. Allowed values are between "
                + "[1, 2^31-1] and the string \"latest\"", e.getMessage());
        }
        assertEquals("Schema 99 not found", refused(40403, () -> state.schema(99)).getMessage());
        assertEquals("Schema not found", refused(40403, () -> state.lookup("s", record(B_REQUIRED))).getMessage());
        refused(40401, () -> state.lookup("nope", record(A_INT)));
        assertEquals(1, state.lookup("s", record(A_INT)).version());
    }

    @Test
    void compatibilityChecksWithoutRegistering() {
        assertEquals(List.of(), state.compatibilityProblems("empty", record(A_INT), "latest"));
        register("s", record(A_INT));
        register("s", record(A_INT + "," + B_DEFAULT));
        assertEquals(List.of(), state.compatibilityProblems("s", record(A_INT + "," + B_DEFAULT), "latest"));
        String newRequiredC = record(A_INT + ",{\"name\":\"c\",\"type\":\"int\"}");
        assertTrue(!state.compatibilityProblems("s", newRequiredC, "latest").isEmpty());
        assertTrue(!state.compatibilityProblems("s", newRequiredC, "2").isEmpty());
        // Non-transitive BACKWARD checks the latest version only: b is required but v2 writes it.
        assertEquals(List.of(), state.compatibilityProblems("s", record(A_INT + "," + B_REQUIRED), "latest"));
        assertTrue(!state.compatibilityProblems("s", record(A_INT + "," + B_REQUIRED), "1").isEmpty());
        assertEquals(List.of(), state.compatibilityProblems("s", record(B_DEFAULT), "1"));
        refused(40402, () -> state.compatibilityProblems("s", record(A_INT), "3"));
        assertEquals(List.of(1, 2), state.versions("s"));
    }

    @Test
    void replayedEntriesRebuildTheState() {
        SchemaRegistryState replayed = new SchemaRegistryState();
        String one = new org.apache.avro.Schema.Parser().parse(record(A_INT)).toString();
        String two = new org.apache.avro.Schema.Parser().parse(record(A_INT + "," + B_DEFAULT)).toString();
        replayed.apply(new SchemaEntry("s", 1, 5, one, false));
        replayed.apply(new ConfigEntry(null, CompatibilityLevel.NONE));
        replayed.apply(new SchemaEntry("s", 2, 9, two, true)); // soft-deleted
        replayed.apply(new SchemaEntry("t", 1, 5, one, false));
        replayed.reserveId(12); // a schema of another type
        replayed.apply(new SchemaEntry("u", 1, 5, two, false)); // id 5 is taken by another schema: skipped

        assertEquals(List.of(1), replayed.versions("s"));
        assertEquals(two, replayed.schema(9), "a soft-deleted version keeps its id");
        assertEquals(List.of("s", "t"), replayed.subjects());
        assertEquals(CompatibilityLevel.NONE, replayed.globalCompatibility());
        Registration next = replayed.planRegister("s", record(B_REQUIRED));
        assertEquals(13, next.id(), "new ids come after every id seen");
        assertEquals(3, next.toStore().version(), "new versions come after deleted ones");
        assertEquals(9, replayed.planRegister("s", two).id(), "a schema known by id keeps it");

        replayed.removeVersion("t", 1);
        assertEquals(List.of("s"), replayed.subjects());
        refused(40401, () -> replayed.versions("t"));
        assertNull(replayed.planRegister("s", one).toStore());
    }
}
