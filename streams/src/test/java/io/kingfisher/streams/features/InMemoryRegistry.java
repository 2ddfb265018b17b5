package io.kingfisher.streams.features;

import io.kingfisher.schemas.registry.SchemaMetadata;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/** Test double: a schema registry in a map (ids and subjects only; no compatibility checks). */
final class InMemoryRegistry implements SchemaRegistryClient {
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        int id = byId.entrySet().stream().filter(e -> e.getValue().equals(schema)).map(Map.Entry::getKey)
            .findFirst().orElseGet(() -> {
                int next = byId.size() + 1;
                byId.put(next, schema);
                return next;
            });
        List<Integer> ids = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!ids.contains(id)) {
            ids.add(id);
        }
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema s = byId.get(id);
        if (s == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id
                + " not found", null);
        }
        return s;
    }

    @Override
    public synchronized SchemaMetadata getLatest(String subject) {
        List<Integer> ids = subjects.getOrDefault(subject, List.of());
        return getVersion(subject, ids.size());
    }

    @Override
    public synchronized SchemaMetadata getVersion(String subject, int version) {
        List<Integer> ids = subjects.getOrDefault(subject, List.of());
        if (version < 1 || version > ids.size()) {
            throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version
                + " not found.", null);
        }
        int id = ids.get(version - 1);
        return new SchemaMetadata(subject, id, version, byId.get(id).toString());
    }

    @Override
    public synchronized Optional<SchemaMetadata> lookup(String subject, Schema schema) {
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
        for (int v = 1; v <= subjects.getOrDefault(subject, List.of()).size(); v++) {
            out.add(v);
        }
        return out;
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        return true;
    }

    @Override
    public String getCompatibility(String subjectOrNull) {
        return "BACKWARD";
    }

    @Override
    public void setCompatibility(String subjectOrNull, String level) {
    }
}
