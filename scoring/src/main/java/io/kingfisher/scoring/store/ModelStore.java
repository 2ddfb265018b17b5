package io.kingfisher.scoring.store;

import java.io.IOException;
import java.net.URI;

/**
 * Stores model payloads by domain and version; snapshots on Kafka carry only the URI.
 *
 * <p>A version is written once: putting the same bytes again returns the same URI (so a retried
 * publish is harmless), putting different bytes for an existing version fails.
 */
public interface ModelStore {

    /**
     * @param domain  domain name, a lower-case path segment such as {@code fraud}
     * @param version model version, {@code >= 0}
     * @param payload the encoded model
     * @return the URI to record in the snapshot
     * @throws IOException if writing fails or the version exists with other content
     */
    URI put(String domain, long version, byte[] payload) throws IOException;

    /**
     * @param uri a URI returned by {@link #put}
     * @return the payload bytes
     * @throws IOException if the payload cannot be read
     */
    byte[] get(URI uri) throws IOException;
}
