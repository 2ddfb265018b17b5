package io.kingfisher.schemas.topic;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The topic names of Kingfisher's contracts. Per-domain topics are {@code <domain>.<kind>}; a
 * domain name is letters, digits, {@code _} and {@code -} (no dot, so the kind stays unambiguous).
 */
public final class Topics {

    /** Model snapshot metadata, compacted, keyed by domain. */
    public static final String MODEL_SNAPSHOTS = "model.snapshots";
    /**
     * Every snapshot ever published, all domains, keyed by domain, never compacted: the model registry's history
     * (versions, parents, input ranges, trainer config, metrics). {@link #MODEL_SNAPSHOTS} holds the live one.
     */
    public static final String MODEL_REGISTRY = "model.registry";
    /** Fraud alerts with their top reasons. */
    public static final String FRAUD_ALERTS = "fraud.alerts";
    /** Clinical alerts, with hysteresis. */
    public static final String CLINICAL_ALERTS = "clinical.alerts";
    /** Top-K recommendations per user. */
    public static final String RECS_FEED = "recs.feed";

    /** Kafka's limit on topic name length. */
    public static final int MAX_NAME_LENGTH = 249;

    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final Pattern LEGAL_DOMAIN = Pattern.compile("[a-zA-Z0-9_-]+");

    private Topics() {
    }

    /** @return {@code <domain>.events}: the raw events of a domain */
    public static String events(String domain) {
        return perDomain(domain, "events");
    }

    /** @return {@code <domain>.labels}: the labels that arrive after the events */
    public static String labels(String domain) {
        return perDomain(domain, "labels");
    }

    /** @return {@code <domain>.scores}: the scores, with the features as scored */
    public static String scores(String domain) {
        return perDomain(domain, "scores");
    }

    /** @return {@code <domain>.examples}: scores joined with labels, for training */
    public static String examples(String domain) {
        return perDomain(domain, "examples");
    }

    /** @return {@code <domain>.learning}: the online trainer's decisions (published, refused, rolled back, drift) */
    public static String learning(String domain) {
        return perDomain(domain, "learning");
    }

    /** @return {@code <domain>.dlq}: the dead letters of a domain */
    public static String dlq(String domain) {
        return perDomain(domain, "dlq");
    }

    /** @return {@code <domain>.features}: the latest features per entity */
    public static String features(String domain) {
        return perDomain(domain, "features");
    }

    private static String perDomain(String domain, String kind) {
        Objects.requireNonNull(domain, "domain");
        if (!LEGAL_DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("domain name '" + domain
                + "' must be non-empty letters, digits, '_' or '-' (it prefixes topic names)");
        }
        return requireLegalName(domain + "." + kind);
    }

    /**
     * @return {@code name}, if Kafka accepts it as a topic name
     * @throws IllegalArgumentException naming the problem otherwise
     */
    public static String requireLegalName(String name) {
        Objects.requireNonNull(name, "topic name");
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("topic name '" + name + "' is not allowed");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("topic name of " + name.length() + " characters is longer than "
                + MAX_NAME_LENGTH + ": '" + name + "'");
        }
        if (!LEGAL_TOPIC.matcher(name).matches()) {
            throw new IllegalArgumentException(
                "topic name '" + name + "' may contain only ASCII letters, digits, '.', '_' and '-'");
        }
        return name;
    }
}
