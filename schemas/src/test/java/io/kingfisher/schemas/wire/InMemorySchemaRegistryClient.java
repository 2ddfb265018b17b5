package io.kingfisher.schemas.wire;

import io.kingfisher.schemas.registry.SchemaMetadata;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * Test double for serde unit tests: a registry in a map, with call counters and an outage switch.
 * Compatibility levels are recorded but not enforced (the embedded registry in local-stack does that).
 */
final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    final AtomicInteger registerCalls = new AtomicInteger();
    final AtomicInteger getByIdCalls = new AtomicInteger();
    final AtomicInteger lookupCalls = new AtomicInteger();
    volatile boolean unavailable;

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new TreeMap<>();
    private final Map<String, String> compatibility = new HashMap<>();
    private int nextId = 1;

    @Override
    public synchronized int register(String subject, Schema schema) {
        registerCalls.incrementAndGet();
        checkAvailable();
        int id = byId.entrySet().stream().filter(e -> e.getValue().equals(schema)).map(Map.Entry::getKey)
            .findFirst().orElseGet(() -> {
                byId.put(nextId, schema);
                return nextId++;
            });
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    /** Registers {@code schema} under a fresh id chosen by the test. */
    synchronized void put(int id, Schema schema) {
        byId.put(id, schema);
        nextId = Math.max(nextId, id + 1);
    }

    @Override
    public synchronized Schema getById(int id) {
        getByIdCalls.incrementAndGet();
        checkAvailable();
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND,
                "Schema " + id + " not found", null);
        }
        return schema;
    }

    @Override
    public synchronized SchemaMetadata getLatest(String subject) {
        List<Integer> versions = versionIds(subject);
        return getVersion(subject, versions.size());
    }

    @Override
    public synchronized SchemaMetadata getVersion(String subject, int version) {
        List<Integer> ids = versionIds(subject);
        if (version < 1 || version > ids.size()) {
            throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND,
                "Version " + version + " not found.", null);
        }
        int id = ids.get(version - 1);
        return new SchemaMetadata(subject, id, version, byId.get(id).toString());
    }

    @Override
    public synchronized Optional<SchemaMetadata> lookup(String subject, Schema schema) {
        lookupCalls.incrementAndGet();
        checkAvailable();
        List<Integer> ids = subjects.getOrDefault(subject, List.of());
        for (int i = 0; i < ids.size(); i++) {
            if (byId.get(ids.get(i)).equals(schema)) {
                return Optional.of(new SchemaMetadata(subject, ids.get(i), i + 1, schema.toString()));
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    @Override
    public synchronized List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        for (int v = 1; v <= versionIds(subject).size(); v++) {
            out.add(v);
        }
        return out;
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        return true;
    }

    @Override
    public synchronized String getCompatibility(String subjectOrNull) {
        return compatibility.getOrDefault(subjectOrNull, compatibility.getOrDefault(null, "BACKWARD"));
    }

    @Override
    public synchronized void setCompatibility(String subjectOrNull, String level) {
        compatibility.put(subjectOrNull, level);
    }

    private List<Integer> versionIds(String subject) {
        checkAvailable();
        List<Integer> ids = subjects.get(subject);
        if (ids == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
                "Subject '" + subject + "' not found.", null);
        }
        return ids;
    }

    private void checkAvailable() {
        if (unavailable) {
            throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
                "cannot reach schema registry at http://test.invalid (test outage)", null);
        }
    }
}
