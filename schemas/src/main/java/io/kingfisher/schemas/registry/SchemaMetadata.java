package io.kingfisher.schemas.registry;

import java.util.Objects;

/**
 * One version of a subject in a schema registry.
 *
 * @param subject the subject, e.g. {@code fraud.events-value}
 * @param id the registry-wide schema id (the one in the wire-format header)
 * @param version the version of the schema within the subject, from 1
 * @param schema the schema as JSON text
 */
public record SchemaMetadata(String subject, int id, int version, String schema) {

    /** Checks the fields. */
    public SchemaMetadata {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
