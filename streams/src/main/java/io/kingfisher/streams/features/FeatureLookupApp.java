package io.kingfisher.streams.features;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online feature lookup, running: a Kafka Streams app that keeps the latest feature vector per entity of each
 * configured domain ({@link FeatureLookupTopology}) and an HTTP server answering
 * {@code GET /features/{domain}/{entity}} from it ({@link FeatureRoutes}). Start it in-process with {@link #start}
 * (the local stack) or from the command line with {@link FeatureLookupMain}.
 *
 * <p>It reads {@code read_committed}: the scoring job writes vectors in Kafka transactions, so a vector becomes
 * visible when the job's checkpoint that covers it completes. A stream thread that fails is replaced (the records
 * since the last commit are read again), except when a source topic is gone, which stops the app; {@code /health}
 * and the 503 answers then say why.
 */
public final class FeatureLookupApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureLookupApp.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final int HTTP_THREADS = 4;
    /** The JDK HTTP server's switch for TCP_NODELAY on its connections (off by default). */
    static final String HTTP_NODELAY = "sun.net.httpserver.nodelay";

    static {
        lowLatencyHttp();
    }

    private final FeatureLookupConfig config;
    private final HttpServer http;
    private final ExecutorService httpThreads;
    private final KafkaStreams streams;
    private final int port;
    private volatile String lastError = "";
    private boolean closed;

    private FeatureLookupApp(FeatureLookupConfig config, HttpServer http, ExecutorService httpThreads,
                             KafkaStreams streams) {
        this.config = config;
        this.http = http;
        this.httpThreads = httpThreads;
        this.streams = streams;
        this.port = http.getAddress().getPort();
    }

    /**
     * Checks the source topics, binds the HTTP port, starts Kafka Streams and serves; returns without waiting for
     * the stores to be queryable (until then lookups answer 503; see {@link #awaitReady}).
     *
     * @throws IllegalStateException    naming the topic when a {@code <domain>.features} topic does not exist or the
     *                                  broker does not answer, or naming the address when the port cannot be bound
     * @throws LookupConfigException    when the state directory cannot be created
     */
    public static FeatureLookupApp start(FeatureLookupConfig config) {
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new LookupConfigException(FeatureLookupConfig.STATE_DIR, "cannot create directory "
                + config.stateDir() + ": " + e);
        }
        requireTopics(config);

        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(config.httpHost(), config.httpPort()), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve HTTP on " + config.httpHost() + ":" + config.httpPort() + " ("
                + FeatureLookupConfig.HTTP_HOST + ", " + FeatureLookupConfig.HTTP_PORT + "): " + e.getMessage(), e);
        }
        HostInfo self = new HostInfo(config.advertisedHost(), http.getAddress().getPort());
        ExecutorService threads = Executors.newFixedThreadPool(HTTP_THREADS, daemonThreads("features-http-"));
        FeatureLookupApp app;
        try {
            SchemaRegistryClient registry = new RestSchemaRegistryClient(config.registryUrl());
            Serde<FeatureVector> vectors = Serdes.serdeFrom(new AvroWireSerializer<>(registry, FeatureVector.class),
                new AvroWireDeserializer<>(registry, FeatureVector.class));
            KafkaStreams streams = new KafkaStreams(FeatureLookupTopology.build(config.domains(), vectors),
                streamsProperties(config, self));
            app = new FeatureLookupApp(config, http, threads, streams);
        } catch (RuntimeException e) {
            http.stop(0);
            threads.shutdownNow();
            throw e;
        }
        app.streams.setUncaughtExceptionHandler(app::onStreamThreadFailure);
        app.streams.setStateListener((now, before) -> LOG.info("Feature lookup: Kafka Streams {} -> {}", before, now));
        FeatureRoutes routes = new FeatureRoutes(new KafkaStreamsFeatureLookup(app.streams, config.domains(), self,
            () -> app.lastError));
        http.createContext("/", exchange -> serve(routes, exchange));
        http.setExecutor(threads);
        try {
            app.streams.start();
            http.start();
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        LOG.info("Feature lookup serving {}/features/<domain>/<entity> for {} from {} (state in {})", app.url(),
            config.domains(), config.topics(), config.stateDir());
        return app;
    }

    /**
     * Turns on TCP_NODELAY in the JDK HTTP server (unless {@value #HTTP_NODELAY} is set already). Without it every
     * answer takes about 40 ms more on a kept-alive connection: the server writes headers and body separately and
     * Nagle's algorithm holds the body until the client's delayed ACK of the headers (measured here: 44 ms median
     * without, 2 ms with). The JDK reads the setting once, when the JVM's first {@code HttpServer} is created, so
     * a process that starts another HTTP server before the lookup (the local stack's schema registry) must call this
     * first; loading this class calls it too.
     */
    public static void lowLatencyHttp() {
        if (System.getProperty(HTTP_NODELAY) == null) {
            System.setProperty(HTTP_NODELAY, "true");
        }
    }

    /** The Kafka Streams settings: the config's, then its overrides. */
    static Properties streamsProperties(FeatureLookupConfig config, HostInfo self) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, SkipUnreadableVectors.class.getName());
        // The scoring job writes in transactions: never serve a vector of an aborted one.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.putAll(config.streamsOverrides());
        return p;
    }

    private StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
        lastError = String.valueOf(e);
        if (causedBy(e, MissingSourceTopicException.class)) {
            LOG.error("Feature lookup stops: a source topic of {} is gone", config.topics(), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.error("Feature lookup: a stream thread failed; replacing it", e);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static void requireTopics(FeatureLookupConfig config) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<String> missing = new ArrayList<>(config.topics());
            missing.removeAll(existing);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("topic(s) " + String.join(", ", missing) + " do not exist at "
                    + config.bootstrapServers() + ": create them (cleanup.policy=compact, keyed by entity; the scoring "
                    + "job writes them) or remove their domains from " + FeatureLookupConfig.DOMAINS);
            }
            List<ConfigResource> resources = config.topics().stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            configs.forEach((resource, c) -> {
                ConfigEntry policy = c.get(TopicConfig.CLEANUP_POLICY_CONFIG);
                if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    LOG.warn("Topic {} is not compacted (cleanup.policy={}): it keeps every vector ever written, and a "
                        + "fresh lookup reads them all", resource.name(), policy == null ? "?" : policy.value());
                }
            });
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check topics " + config.topics() + " at "
                + config.bootstrapServers() + " (" + FeatureLookupConfig.BOOTSTRAP + "): " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from Kafka at " + config.bootstrapServers() + " ("
                + FeatureLookupConfig.BOOTSTRAP + ") within " + ADMIN_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics " + config.topics(), e);
        }
    }

    private static void serve(FeatureRoutes routes, HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            FeatureRoutes.Reply reply;
            try {
                reply = routes.handle(method, exchange.getRequestURI().getRawPath());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", method, exchange.getRequestURI(), e);
                reply = new FeatureRoutes.Reply(500, FeatureVectorJson.error("internal error: " + e, Map.of()), Map.of());
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            if ("HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
                exchange.sendResponseHeaders(reply.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("could not answer {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** @return the HTTP port (the bound one when the config asked for 0) */
    public int port() {
        return port;
    }

    /** @return {@code http://<advertised host>:<port>} */
    public String url() {
        return "http://" + config.advertisedHost() + ":" + port;
    }

    /** @return the settings it runs with */
    public FeatureLookupConfig config() {
        return config;
    }

    /** @return Kafka Streams' state ({@code RUNNING} when lookups are answered) */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Waits until every store is queryable (Kafka Streams {@code RUNNING}), for at most {@code timeout}.
     *
     * @return whether it is
     */
    public boolean awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR
                || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Stops serving HTTP, then closes Kafka Streams (flushing the stores) and leaves its group. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.stop(0);
        httpThreads.shutdownNow();
        // Leave the group, so a restarted or remaining instance takes the partitions over now rather than after the
        // session timeout (45 s by default).
        if (!streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(CLOSE_TIMEOUT))) {
            LOG.warn("Kafka Streams of the feature lookup did not close within {} s", CLOSE_TIMEOUT.toSeconds());
        }
    }

    @Override
    public String toString() {
        return "FeatureLookupApp[" + url() + ", " + config.domains() + ", " + streams.state() + "]";
    }
}
