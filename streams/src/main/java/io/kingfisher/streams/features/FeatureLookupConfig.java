package io.kingfisher.streams.features;

import io.kingfisher.schemas.topic.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of the feature lookup app. Built in code ({@link #of} and the {@code with*} copies) or from
 * key-value settings ({@link #fromMap}); either way every value is checked now, and a bad one fails with a
 * {@link LookupConfigException} naming its key.
 *
 * @param bootstrapServers Kafka bootstrap servers ({@value #BOOTSTRAP})
 * @param registryUrl      schema registry URL ({@value #REGISTRY_URL})
 * @param domains          the domains whose {@code <domain>.features} topics are served ({@value #DOMAINS})
 * @param stateDir         where Kafka Streams keeps the RocksDB stores ({@value #STATE_DIR})
 * @param httpHost         address the HTTP server binds to ({@value #HTTP_HOST})
 * @param httpPort         HTTP port, 0 for any free one ({@value #HTTP_PORT})
 * @param advertisedHost   host other instances and redirected clients reach this one at ({@value #ADVERTISED_HOST})
 * @param applicationId    Kafka Streams application id: consumer group and internal topic prefix
 *                         ({@value #APPLICATION_ID})
 * @param streamsOverrides Kafka Streams settings set last ({@value #STREAMS_PREFIX}{@code <streams key>})
 */
public record FeatureLookupConfig(String bootstrapServers, String registryUrl, List<String> domains, Path stateDir,
                                  String httpHost, int httpPort, String advertisedHost, String applicationId,
                                  Map<String, String> streamsOverrides) {

    /** Kafka bootstrap servers, {@code host:port[,host:port]}; required. Same key as the Flink jobs'. */
    public static final String BOOTSTRAP = "kafka.bootstrap.servers";
    /** Schema registry URL; required. Same key as the Flink jobs'. */
    public static final String REGISTRY_URL = "schema.registry.url";
    /** Comma-separated domains to serve, e.g. {@code fraud,clicks}; required. */
    public static final String DOMAINS = "lookup.domains";
    /** Directory of the RocksDB stores; required (state survives restarts there). */
    public static final String STATE_DIR = "lookup.state.dir";
    /** Bind address of the HTTP server; default {@value #DEFAULT_HTTP_HOST}. */
    public static final String HTTP_HOST = "lookup.http.host";
    /** HTTP port, 0 for any free one; default {@value #DEFAULT_HTTP_PORT}. */
    public static final String HTTP_PORT = "lookup.http.port";
    /** Host name under which other instances reach this one; default the bind address ({@code localhost} for 0.0.0.0). */
    public static final String ADVERTISED_HOST = "lookup.advertised.host";
    /** Kafka Streams application id; default {@value #DEFAULT_APPLICATION_ID}. */
    public static final String APPLICATION_ID = "lookup.application.id";
    /** Prefix of Kafka Streams settings passed through, e.g. {@code lookup.streams.num.stream.threads=2}. */
    public static final String STREAMS_PREFIX = "lookup.streams.";

    /** Default of {@value #HTTP_HOST}: loopback only. */
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    /** Default of {@value #HTTP_PORT}. */
    public static final int DEFAULT_HTTP_PORT = 8090;
    /** Default of {@value #APPLICATION_ID}. */
    public static final String DEFAULT_APPLICATION_ID = "kingfisher-features-lookup";

    private static final Set<String> KEYS = Set.of(BOOTSTRAP, REGISTRY_URL, DOMAINS, STATE_DIR, HTTP_HOST, HTTP_PORT,
        ADVERTISED_HOST, APPLICATION_ID);

    /** Checks every value; fills the advertised host from the bind address when it is null or blank. */
    public FeatureLookupConfig {
        bootstrapServers = required(BOOTSTRAP, bootstrapServers, "Kafka bootstrap servers, host:port[,host:port]");
        registryUrl = required(REGISTRY_URL, registryUrl, "schema registry URL, e.g. http://localhost:8081");
        if (!registryUrl.startsWith("http://") && !registryUrl.startsWith("https://")) {
            throw new LookupConfigException(REGISTRY_URL, "must be an http:// or https:// URL, was '" + registryUrl + "'");
        }
        if (domains == null || domains.isEmpty()) {
            throw new LookupConfigException(DOMAINS, "required: the domains to serve, comma-separated (e.g. fraud,clicks)");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String d : domains) {
            try {
                Topics.features(d);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new LookupConfigException(DOMAINS, e.getMessage() == null ? "a domain is missing" : e.getMessage());
            }
            if (!unique.add(d)) {
                throw new LookupConfigException(DOMAINS, "domain '" + d + "' is listed twice");
            }
        }
        domains = List.copyOf(unique);
        if (stateDir == null) {
            throw new LookupConfigException(STATE_DIR, "required: the directory of the lookup's RocksDB stores");
        }
        httpHost = required(HTTP_HOST, httpHost, "address to bind the HTTP server to");
        if (httpPort < 0 || httpPort > 65535) {
            throw new LookupConfigException(HTTP_PORT, "must be 0 (any free port) or 1..65535, was " + httpPort);
        }
        if (advertisedHost == null || advertisedHost.isBlank()) {
            advertisedHost = "0.0.0.0".equals(httpHost) || "::".equals(httpHost) ? "localhost" : httpHost;
        }
        applicationId = required(APPLICATION_ID, applicationId, "the Kafka Streams application id");
        if (!applicationId.matches("[a-zA-Z0-9._-]+")) {
            throw new LookupConfigException(APPLICATION_ID, "may contain only ASCII letters, digits, '.', '_' and '-' "
                + "(it prefixes topic names), was '" + applicationId + "'");
        }
        streamsOverrides = Map.copyOf(streamsOverrides == null ? Map.of() : streamsOverrides);
    }

    /**
     * @return the settings with the defaults: HTTP on {@value #DEFAULT_HTTP_HOST}:{@value #DEFAULT_HTTP_PORT},
     *     application id {@value #DEFAULT_APPLICATION_ID}
     */
    public static FeatureLookupConfig of(String bootstrapServers, String registryUrl, List<String> domains,
                                         Path stateDir) {
        return new FeatureLookupConfig(bootstrapServers, registryUrl, domains, stateDir, DEFAULT_HTTP_HOST,
            DEFAULT_HTTP_PORT, null, DEFAULT_APPLICATION_ID, Map.of());
    }

    /** @return a copy serving HTTP on {@code port} (0 for any free one) */
    public FeatureLookupConfig withHttpPort(int port) {
        return new FeatureLookupConfig(bootstrapServers, registryUrl, domains, stateDir, httpHost, port, advertisedHost,
            applicationId, streamsOverrides);
    }

    /** @return a copy with another Kafka Streams application id */
    public FeatureLookupConfig withApplicationId(String id) {
        return new FeatureLookupConfig(bootstrapServers, registryUrl, domains, stateDir, httpHost, httpPort,
            advertisedHost, id, streamsOverrides);
    }

    /** @return a copy with these Kafka Streams settings (keys without the {@value #STREAMS_PREFIX} prefix) */
    public FeatureLookupConfig withStreamsOverrides(Map<String, String> overrides) {
        return new FeatureLookupConfig(bootstrapServers, registryUrl, domains, stateDir, httpHost, httpPort,
            advertisedHost, applicationId, overrides);
    }

    /**
     * Reads the settings from keys and values (a properties file, the command line).
     *
     * @throws LookupConfigException naming the key of a missing or bad value, or an unknown {@code lookup.*} key
     */
    public static FeatureLookupConfig fromMap(Map<String, String> settings) {
        Objects.requireNonNull(settings, "settings");
        Map<String, String> streams = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(STREAMS_PREFIX)) {
                streams.put(key.substring(STREAMS_PREFIX.length()), e.getValue());
            } else if (key.startsWith("lookup.") && !KEYS.contains(key)) {
                throw new LookupConfigException(key, "unknown setting; known: " + String.join(", ", KEYS.stream()
                    .filter(k -> k.startsWith("lookup.")).sorted().toList()) + ", " + STREAMS_PREFIX + "*");
            }
        }
        String domains = settings.get(DOMAINS);
        List<String> domainList = new ArrayList<>();
        if (domains != null) {
            for (String d : domains.split(",", -1)) {
                if (d.isBlank()) {
                    throw new LookupConfigException(DOMAINS, "has an empty domain name in '" + domains + "'");
                }
                domainList.add(d.strip());
            }
        }
        String dir = settings.get(STATE_DIR);
        if (dir != null && dir.isBlank()) {
            throw new LookupConfigException(STATE_DIR, "required: the directory of the lookup's RocksDB stores");
        }
        return new FeatureLookupConfig(settings.get(BOOTSTRAP), settings.get(REGISTRY_URL), domainList,
            dir == null ? null : Path.of(dir), settings.getOrDefault(HTTP_HOST, DEFAULT_HTTP_HOST),
            port(settings.get(HTTP_PORT)), settings.get(ADVERTISED_HOST),
            settings.getOrDefault(APPLICATION_ID, DEFAULT_APPLICATION_ID), streams);
    }

    private static int port(String value) {
        if (value == null) {
            return DEFAULT_HTTP_PORT;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new LookupConfigException(HTTP_PORT, "must be a port number (0 for any free one), was '" + value + "'");
        }
    }

    private static String required(String key, String value, String what) {
        if (value == null || value.isBlank()) {
            throw new LookupConfigException(key, "required: " + what);
        }
        return value.strip();
    }

    /** @return the source topics, one per domain, in order */
    public List<String> topics() {
        return domains.stream().map(Topics::features).toList();
    }
}
