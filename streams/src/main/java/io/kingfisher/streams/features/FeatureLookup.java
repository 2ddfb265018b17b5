package io.kingfisher.streams.features;

import io.kingfisher.schemas.core.FeatureVector;
import java.util.List;

/**
 * Looks up the latest feature vector of an entity. {@link KafkaStreamsFeatureLookup} asks the Kafka Streams
 * stores; tests give their own.
 */
public interface FeatureLookup {

    /** @return the domains served, in configuration order */
    List<String> domains();

    /**
     * @return what was found for {@code entity} in {@code domain}
     */
    Result lookup(String domain, String entity);

    /** @return whether lookups can be answered now, and if not why (e.g. the app is rebalancing) */
    Health health();

    /**
     * Whether lookups can be answered.
     *
     * @param ready  true when the stores are queryable
     * @param state  a short state name (e.g. Kafka Streams' {@code RUNNING}, {@code REBALANCING})
     * @param detail what is wrong, or empty
     */
    record Health(boolean ready, String state, String detail) {
    }

    /** What a lookup found. */
    sealed interface Result permits Found, Missing, UnknownDomain, NotReady, Elsewhere {
    }

    /** The entity's latest vector. */
    record Found(FeatureVector vector) implements Result {
    }

    /** The domain is served, but no vector of the entity has been read. */
    record Missing() implements Result {
    }

    /** The domain is not served by this app. */
    record UnknownDomain(List<String> served) implements Result {
    }

    /** The store cannot be queried now (starting, rebalancing, restoring, stopped): ask again later. */
    record NotReady(String reason) implements Result {
    }

    /**
     * The entity's partition is hosted by another instance of the app.
     *
     * @param host that instance's HTTP host
     * @param port that instance's HTTP port
     */
    record Elsewhere(String host, int port) implements Result {
    }
}
