package io.kingfisher.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The operations Kingfisher needs from a Confluent-compatible schema registry (Avro schemas only).
 * Implementations are thread-safe. Failures are {@link SchemaRegistryException}s carrying the
 * HTTP status and the Confluent error code.
 */
public interface SchemaRegistryClient {

    /**
     * Registers {@code schema} under {@code subject}, or returns its id if it is registered already.
     *
     * @return the registry-wide schema id
     * @throws SchemaRegistryException with error code 409 when the schema is incompatible with the
     *     subject's compatibility level, 42201 when the registry finds it invalid
     */
    int register(String subject, Schema schema);

    /**
     * @return the schema with this id
     * @throws SchemaRegistryException with error code 40403 when there is none
     */
    Schema getById(int id);

    /**
     * @return the latest version of the subject
     * @throws SchemaRegistryException with error code 40401 when the subject does not exist
     */
    SchemaMetadata getLatest(String subject);

    /**
     * @return the given version of the subject
     * @throws SchemaRegistryException 40401 when the subject does not exist, 40402 when the version
     *     does not
     */
    SchemaMetadata getVersion(String subject, int version);

    /** @return the version of {@code subject} holding {@code schema}, empty if it has none */
    Optional<SchemaMetadata> lookup(String subject, Schema schema);

    /** @return all subjects, sorted */
    List<String> subjects();

    /**
     * @return the versions of the subject, ascending
     * @throws SchemaRegistryException with error code 40401 when the subject does not exist
     */
    List<Integer> versions(String subject);

    /** @return whether {@code schema} could be registered under {@code subject} by its compatibility level */
    boolean testCompatibility(String subject, Schema schema);

    /**
     * @param subjectOrNull a subject, or null for the global level
     * @return the compatibility level in effect (a subject without its own level gets the global one)
     */
    String getCompatibility(String subjectOrNull);

    /**
     * @param subjectOrNull a subject, or null for the global level
     * @param level NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE
     * @throws SchemaRegistryException with error code 42203 for an unknown level
     */
    void setCompatibility(String subjectOrNull, String level);
}
