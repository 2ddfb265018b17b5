package io.kingfisher.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry (Avro only) served over HTTP on loopback, storing its
 * state in the Kafka topic {@code _schemas} as Confluent does, so ids survive restarts. It serves
 * {@code /subjects}, {@code /subjects/{s}/versions[/{v}[/schema]]}, {@code POST /subjects/{s}}
 * (lookup), {@code /schemas/ids/{id}[/schema|/subjects|/versions]}, {@code /schemas/types},
 * {@code POST /compatibility/subjects/{s}/versions/{v}} and {@code /config[/{s}]}, with Confluent's
 * JSON and error codes. The default compatibility level is BACKWARD.
 *
 * <p>One registry writes to a {@code _schemas} topic at a time: it reads the topic when it starts
 * and then only its own writes.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final int HTTP_THREADS = 4;

    private final SchemaRegistryState state;
    private final SchemasTopic store;
    private final HttpServer server;
    private final ExecutorService executor;
    private final int port;
    private final Object writeLock = new Object();
    private boolean closed;

    private EmbeddedSchemaRegistry(String bootstrapServers, int requestedPort) {
        this.state = new SchemaRegistryState();
        this.store = new SchemasTopic(bootstrapServers, state);
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "schema-registry-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newFixedThreadPool(HTTP_THREADS, factory);
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 50);
        } catch (IOException e) {
            executor.shutdownNow();
            store.close();
            throw new UncheckedIOException("cannot serve the schema registry on 127.0.0.1:" + requestedPort + ": " + e, e);
        }
        server.createContext("/", new RegistryHttpHandler(state, new RegistryHttpHandler.Writes() {
            @Override
            public int register(String subject, String schema) {
                return EmbeddedSchemaRegistry.this.register(subject, schema);
            }

            @Override
            public CompatibilityLevel setCompatibility(String subjectOrNull, String level) {
                return EmbeddedSchemaRegistry.this.setCompatibility(subjectOrNull, level);
            }
        }));
        server.setExecutor(executor);
        server.start();
        this.port = server.getAddress().getPort();
    }

    /**
     * Starts a registry storing its state in the {@code _schemas} topic of a Kafka cluster (created
     * if missing, then read to its end).
     *
     * @param bootstrapServers the Kafka cluster
     * @param port the HTTP port on 127.0.0.1, or 0 for a free one
     * @throws IllegalStateException when the topic cannot be created or read, or the port taken
     */
    public static EmbeddedSchemaRegistry start(String bootstrapServers, int port) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535, got " + port);
        }
        long started = System.nanoTime();
        EmbeddedSchemaRegistry registry;
        try {
            registry = new EmbeddedSchemaRegistry(bootstrapServers, port);
        } catch (RegistryError | UncheckedIOException e) {
            throw new IllegalStateException("schema registry did not start: " + e.getMessage(), e);
        }
        LOG.info("Schema registry serving {} with {} subject(s) from topic {} on {} (started in {} ms)",
            registry.url(), registry.state.subjects().size(), SchemasTopic.TOPIC, bootstrapServers,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return registry;
    }

    /** @return {@code http://127.0.0.1:PORT} */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** @return the HTTP port */
    public int port() {
        return port;
    }

    private int register(String subject, String schema) {
        synchronized (writeLock) {
            store.catchUp();
            SchemaRegistryState.Registration plan = state.planRegister(subject, schema);
            if (plan.toStore() != null) {
                store.write(plan.toStore());
                SchemaRegistryState.SchemaEntry stored = state.version(subject, "latest");
                if (stored.id() != plan.id() || stored.version() != plan.toStore().version()) {
                    throw RegistryError.storeError("topic " + SchemasTopic.TOPIC + " changed under the registry: "
                        + "expected version " + plan.toStore().version() + " (id " + plan.id() + ") of subject '"
                        + subject + "', found version " + stored.version() + " (id " + stored.id() + ")", null);
                }
                LOG.info("Registered schema id {} as version {} of subject '{}'", plan.id(),
                    plan.toStore().version(), subject);
            }
            return plan.id();
        }
    }

    private CompatibilityLevel setCompatibility(String subjectOrNull, String level) {
        synchronized (writeLock) {
            store.catchUp();
            SchemaRegistryState.ConfigEntry entry = state.planCompatibility(subjectOrNull, level);
            store.write(entry);
            LOG.info("Compatibility of {} set to {}", subjectOrNull == null ? "the registry" : "subject '"
                + subjectOrNull + "'", entry.level());
            return entry.level();
        }
    }

    /** Stops serving and closes its Kafka clients. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        String url = url();
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        synchronized (writeLock) {
            store.close();
        }
        LOG.info("Schema registry {} stopped", url);
    }

    @Override
    public String toString() {
        return "EmbeddedSchemaRegistry[" + url() + "]";
    }
}
