package io.kingfisher.local;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema registry's state and rules, without storage or HTTP: schemas by id, subjects and
 * their versions, compatibility levels, and Confluent's semantics for registering, looking up and
 * checking compatibility (with Avro's {@link SchemaCompatibility}).
 *
 * <p>Changes go in two steps so the caller can store them first: {@code plan...} validates a
 * request and returns the entry to store (or the existing id), {@code apply(...)} changes the state
 * from a stored entry. Replaying the stored entries in order rebuilds the same state. Thread-safe.
 */
final class SchemaRegistryState {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryState.class);

    /** The global level until one is set. */
    static final CompatibilityLevel DEFAULT_COMPATIBILITY = CompatibilityLevel.BACKWARD;
    /** The version text meaning the latest version; {@code -1} means the same. */
    static final String LATEST = "latest";

    /**
     * One version of a subject, as stored.
     *
     * @param subject the subject
     * @param version the version within the subject, from 1
     * @param id the registry-wide schema id
     * @param schema the schema in canonical JSON form
     * @param deleted soft-deleted (kept for its id, hidden from the subject)
     */
    record SchemaEntry(String subject, int version, int id, String schema, boolean deleted) {
        SchemaEntry {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /**
     * A compatibility setting, as stored.
     *
     * @param subject the subject, or null for the global level
     * @param level the level, or null when the setting is removed
     */
    record ConfigEntry(String subject, CompatibilityLevel level) {
    }

    /**
     * The outcome of planning a registration.
     *
     * @param id the schema id the subject's version has (or will have)
     * @param toStore the new version to store and apply, or null when the subject has the schema already
     */
    record Registration(int id, SchemaEntry toStore) {
    }

    private record Stored(int id, Schema schema, String canonical) {
    }

    private final Map<Integer, Stored> byId = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<String, NavigableMap<Integer, SchemaEntry>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    // ---------------------------------------------------------------------------------- changes

    /**
     * Plans registering {@code schemaText} under {@code subject}, by Confluent's rules: a schema the
     * subject has already keeps its id and version; otherwise it must pass the subject's
     * compatibility level, and gets the id it has under any subject, or a new one.
     *
     * @throws RegistryError 42201 for an invalid schema, 409 for an incompatible one
     */
    synchronized Registration planRegister(String subject, String schemaText) {
        requireSubject(subject);
        Schema schema = parse(schemaText);
        String canonical = schema.toString();
        List<SchemaEntry> live = live(subject);
        for (SchemaEntry entry : live) {
            if (entry.schema().equals(canonical)) {
                return new Registration(entry.id(), null);
            }
        }
        CompatibilityLevel level = effectiveCompatibility(subject);
        List<String> problems = incompatibilities(schema, live, level);
        if (!problems.isEmpty()) {
            throw RegistryError.incompatible("Schema being registered is incompatible with an earlier schema for "
                + "subject \"" + subject + "\", details: [" + String.join(", ", problems) + "]");
        }
        Integer existingId = idByCanonical.get(canonical);
        int id = existingId != null ? existingId : maxId + 1;
        NavigableMap<Integer, SchemaEntry> versions = subjects.get(subject);
        int version = versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
        return new Registration(id, new SchemaEntry(subject, version, id, canonical, false));
    }

    /**
     * Plans setting a compatibility level.
     *
     * @param subject a subject, or null for the global level
     * @throws RegistryError 42203 for an unknown level
     */
    synchronized ConfigEntry planCompatibility(String subject, String levelText) {
        if (subject != null) {
            requireSubject(subject);
        }
        return new ConfigEntry(subject, CompatibilityLevel.parse(levelText));
    }

    /** Applies a stored version. An entry that conflicts with the state is skipped with a warning. */
    synchronized void apply(SchemaEntry entry) {
        Schema schema;
        try {
            schema = new Schema.Parser().parse(entry.schema());
        } catch (RuntimeException e) {
            reserveId(entry.id());
            LOG.warn("Skipping version {} of subject '{}' (schema id {}): not a valid Avro schema: {}",
                entry.version(), entry.subject(), entry.id(), e.getMessage());
            return;
        }
        String canonical = schema.toString();
        Stored known = byId.get(entry.id());
        if (known != null && !known.canonical().equals(canonical)) {
            LOG.warn("Skipping version {} of subject '{}': schema id {} is already another schema",
                entry.version(), entry.subject(), entry.id());
            return;
        }
        if (known == null) {
            byId.put(entry.id(), new Stored(entry.id(), schema, canonical));
            idByCanonical.putIfAbsent(canonical, entry.id());
        }
        maxId = Math.max(maxId, entry.id());
        subjects.computeIfAbsent(entry.subject(), s -> new TreeMap<>())
            .put(entry.version(), new SchemaEntry(entry.subject(), entry.version(), entry.id(), canonical,
                entry.deleted()));
    }

    /** Applies a removed version (a tombstone): the subject forgets it, the id stays. */
    synchronized void removeVersion(String subject, int version) {
        NavigableMap<Integer, SchemaEntry> versions = subjects.get(subject);
        if (versions != null) {
            versions.remove(version);
            if (versions.isEmpty()) {
                subjects.remove(subject);
            }
        }
    }

    /** Applies a stored compatibility setting. */
    synchronized void apply(ConfigEntry entry) {
        if (entry.subject() == null) {
            globalLevel = entry.level();
        } else if (entry.level() == null) {
            subjectLevels.remove(entry.subject());
        } else {
            subjectLevels.put(entry.subject(), entry.level());
        }
    }

    /** Keeps {@code id} from being given to a new schema (it is taken by one this registry cannot read). */
    synchronized void reserveId(int id) {
        maxId = Math.max(maxId, id);
    }

    // ---------------------------------------------------------------------------------- reads

    /**
     * @return the canonical schema text with this id
     * @throws RegistryError 40403 when there is none
     */
    synchronized String schema(int id) {
        Stored stored = byId.get(id);
        if (stored == null) {
            throw RegistryError.schemaIdNotFound(id);
        }
        return stored.canonical();
    }

    /** @return the (subject, version) pairs that hold schema {@code id}, subjects sorted */
    synchronized List<SchemaEntry> usesOf(int id) {
        schema(id);
        List<SchemaEntry> out = new ArrayList<>();
        for (String subject : subjects.keySet()) {
            for (SchemaEntry e : live(subject)) {
                if (e.id() == id) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** @return subjects with at least one live version, sorted */
    synchronized List<String> subjects() {
        return subjects.keySet().stream().filter(s -> !live(s).isEmpty()).toList();
    }

    /**
     * @return the live versions of the subject, ascending
     * @throws RegistryError 40401 when it has none
     */
    synchronized List<Integer> versions(String subject) {
        return requireLive(subject).stream().map(SchemaEntry::version).toList();
    }

    /**
     * @param versionText a version number, {@code latest} or {@code -1}
     * @throws RegistryError 42202 for a bad version text, 40401 for an unknown subject, 40402 for an
     *     unknown version
     */
    synchronized SchemaEntry version(String subject, String versionText) {
        int version = parseVersion(versionText);
        List<SchemaEntry> live = requireLive(subject);
        if (version == -1) {
            return live.get(live.size() - 1);
        }
        return live.stream().filter(e -> e.version() == version).findFirst()
            .orElseThrow(() -> RegistryError.versionNotFound(version));
    }

    /**
     * @return the live version of the subject holding this schema
     * @throws RegistryError 42201 invalid schema, 40401 unknown subject, 40403 schema not under it
     */
    synchronized SchemaEntry lookup(String subject, String schemaText) {
        String canonical = parse(schemaText).toString();
        return requireLive(subject).stream().filter(e -> e.schema().equals(canonical)).findFirst()
            .orElseThrow(RegistryError::schemaNotFound);
    }

    /** @return the global level */
    synchronized CompatibilityLevel globalCompatibility() {
        return globalLevel != null ? globalLevel : DEFAULT_COMPATIBILITY;
    }

    /** @return the subject's own level, if it has one */
    synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** @return the subject's own level, else the global one */
    synchronized CompatibilityLevel effectiveCompatibility(String subject) {
        return subjectCompatibility(subject).orElseGet(this::globalCompatibility);
    }

    /**
     * Checks a schema against a subject without registering it: against the versions its level
     * names when {@code versionText} is {@code latest}, else against that one version.
     *
     * @return the incompatibilities, empty when compatible (also when the subject has no versions)
     * @throws RegistryError 42201, 42202, or 40401/40402 for a specific version that does not exist
     */
    synchronized List<String> compatibilityProblems(String subject, String schemaText, String versionText) {
        Schema schema = parse(schemaText);
        int version = parseVersion(versionText);
        CompatibilityLevel level = effectiveCompatibility(subject);
        if (version == -1) {
            return incompatibilities(schema, live(subject), level);
        }
        SchemaEntry against = version(subject, versionText);
        CompatibilityLevel oneVersion = switch (level) {
            case BACKWARD_TRANSITIVE -> CompatibilityLevel.BACKWARD;
            case FORWARD_TRANSITIVE -> CompatibilityLevel.FORWARD;
            case FULL_TRANSITIVE -> CompatibilityLevel.FULL;
            default -> level;
        };
        return incompatibilities(schema, List.of(against), oneVersion);
    }

    // ---------------------------------------------------------------------------------- rules

    /**
     * @param live the subject's live versions, ascending
     * @return Confluent-style descriptions of each incompatibility, newest version first
     */
    private List<String> incompatibilities(Schema candidate, List<SchemaEntry> live, CompatibilityLevel level) {
        if (level == CompatibilityLevel.NONE || live.isEmpty()) {
            return List.of();
        }
        List<SchemaEntry> against = new ArrayList<>(level.transitive ? live : List.of(live.get(live.size() - 1)));
        Collections.reverse(against);
        List<String> problems = new ArrayList<>();
        for (SchemaEntry old : against) {
            Schema oldSchema = byId.get(old.id()).schema();
            List<String> found = new ArrayList<>();
            if (level.backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, oldSchema),
                    "the new schema cannot read data written with the old one", found);
            }
            if (level.forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(oldSchema, candidate),
                    "the old schema cannot read data written with the new one", found);
            }
            if (!found.isEmpty()) {
                problems.addAll(found);
                problems.add("{oldSchemaVersion: " + old.version() + "}");
            }
        }
        if (!problems.isEmpty()) {
            problems.add("{compatibility: '" + level + "'}");
        }
        return problems;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility result, String direction,
                                 List<String> out) {
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            out.add("{errorType:'" + i.getType() + "', description:'" + i.getMessage() + " at path '"
                + i.getLocation() + "' (" + direction + ")'}");
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private List<SchemaEntry> live(String subject) {
        NavigableMap<Integer, SchemaEntry> versions = subjects.get(subject);
        if (versions == null) {
            return List.of();
        }
        return versions.values().stream().filter(e -> !e.deleted()).toList();
    }

    private List<SchemaEntry> requireLive(String subject) {
        List<SchemaEntry> live = live(subject);
        if (live.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return live;
    }

    private static void requireSubject(String subject) {
        if (subject == null || subject.isBlank() || subject.chars().anyMatch(Character::isISOControl)) {
            throw new RegistryError(422, 42208, "Invalid subject name '" + subject
                + "': it must be non-blank text without control characters");
        }
    }

    /** @return the version, or -1 for the latest */
    private static int parseVersion(String versionText) {
        if (LATEST.equalsIgnoreCase(versionText) || "-1".equals(versionText)) {
            return -1;
        }
        try {
            int version = Integer.parseInt(versionText);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw RegistryError.invalidVersion(versionText);
    }

    private static Schema parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryError.invalidSchema("Empty schema");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (RuntimeException e) {
            throw RegistryError.invalidSchema("Invalid schema " + abbreviate(schemaText) + ", details: "
                + e.getMessage());
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
