package io.kingfisher.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (the {@code kafka_2.13} server, KRaft mode, combined broker and controller,
 * node id 1) running in this JVM on loopback, for the local stack and for integration tests.
 * Its data lives under {@code dataDir}; starting again on the same directory keeps topics, records
 * and committed offsets (the directory is formatted only the first time).
 *
 * <p>Tuned for one node: every replication factor and min ISR is 1, retention is unlimited
 * (replays of old event times are not deleted), consumer groups rebalance without delay, and
 * transactions may last up to 15 minutes. This uses Kafka's server internals, which are not a
 * stable API: it is written against Kafka 4.2.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String LOOPBACK = FreePorts.LOOPBACK;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** Subdirectory of the data directory holding the Kafka log (and metadata log). */
    static final String LOG_DIR_NAME = "kafka-logs";

    /** Log directories of the brokers running in this JVM. */
    private static final Set<Path> RUNNING = ConcurrentHashMap.newKeySet();

    private final Path dataDir;
    private final int port;
    private final KafkaRaftServer server;
    private final Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(Path dataDir, int port, KafkaRaftServer server, Admin admin) {
        this.dataDir = dataDir;
        this.port = port;
        this.server = server;
        this.admin = admin;
    }

    /**
     * Starts a broker with the default settings and waits until it answers.
     *
     * @param dataDir the directory for its data (created if missing; Kafka's log goes to
     *     {@code dataDir/kafka-logs})
     * @param port the client port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, Map.of());
    }

    /**
     * Starts a broker and waits until it answers.
     *
     * @param dataDir the directory for its data (created if missing)
     * @param port the client port on 127.0.0.1, or 0 for a free one
     * @param overrides broker properties that replace the defaults, e.g. {@code num.partitions}
     * @throws IllegalStateException when it cannot start, naming the cause
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(overrides, "overrides");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535, got " + port);
        }
        Path absolute = dataDir.toAbsolutePath().normalize();
        Path logDir = absolute.resolve(LOG_DIR_NAME);
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory " + logDir, e);
        }
        // Kafka must not start on a directory in use: its metadata log would be written to before
        // the log manager finds the lock taken, breaking the running broker.
        if (!RUNNING.add(logDir)) {
            throw new IllegalStateException("Kafka data directory " + logDir
                + " is in use by another embedded broker in this JVM");
        }
        try {
            requireUnlocked(logDir);
            if (port != 0) {
                requirePortFree(port);
            }
            return startOn(absolute, logDir, port, overrides);
        } catch (RuntimeException e) {
            RUNNING.remove(logDir);
            throw e;
        }
    }

    private static EmbeddedKafkaBroker startOn(Path absolute, Path logDir, int port, Map<String, String> overrides) {
        int clientPort = port == 0 ? FreePorts.loopback() : port;
        // the client port is probed and released before the broker binds it, so the OS may offer it again, and a
        // broker whose two listeners share a port refuses to start
        int controllerPort = FreePorts.loopbackOtherThan(clientPort);
        Map<String, String> props = brokerProperties(logDir, clientPort, controllerPort);
        props.putAll(overrides);
        KafkaConfig config = new KafkaConfig(props, false);

        formatIfNeeded(logDir);

        long started = System.nanoTime();
        KafkaRaftServer server = null;
        Admin admin = null;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LOOPBACK + ":" + clientPort,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000",
                AdminClientConfig.CLIENT_ID_CONFIG, "kingfisher-embedded-broker-admin"));
            awaitReady(admin, clientPort);
        } catch (RuntimeException e) {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
            if (server != null) {
                stop(server);
            }
            throw new IllegalStateException("Kafka broker on " + LOOPBACK + ":" + clientPort + " (data in " + logDir
                + ") did not start: " + e.getMessage(), e);
        }
        LOG.info("Kafka broker started on {}:{} (controller port {}, data in {}) in {} ms", LOOPBACK, clientPort,
            controllerPort, logDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new EmbeddedKafkaBroker(absolute, clientPort, server, admin);
    }

    /** The broker settings before overrides. */
    static Map<String, String> brokerProperties(Path logDir, int clientPort, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + clientPort + ",CONTROLLER://" + LOOPBACK + ":"
            + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + clientPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        p.put("num.partitions", "2");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("transaction.max.timeout.ms", Long.toString(Duration.ofMinutes(15).toMillis()));
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("log.retention.ms", "-1");
        p.put("delete.topic.enable", "true");
        return p;
    }

    private static void formatIfNeeded(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            LOG.info("Kafka data directory {} is formatted already; keeping its data", logDir);
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter()
                .setClusterId(clusterId)
                .setNodeId(NODE_ID)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir.toString())
                .setDirectories(Set.of(logDir.toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setPrintStream(out)
                .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka data directory " + logDir + ": " + e.getMessage()
                + (output.size() > 0 ? " (" + output.toString(StandardCharsets.UTF_8).strip() + ")" : ""), e);
        }
        LOG.info("Formatted Kafka data directory {} (cluster id {})", logDir, clusterId);
        LOG.debug("Kafka formatter output: {}", output.toString(StandardCharsets.UTF_8).strip());
    }

    private static void awaitReady(Admin admin, int clientPort) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Collection<Node> nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                if (!nodes.isEmpty()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the broker to answer", e);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        throw new IllegalStateException("the broker on port " + clientPort + " did not answer describeCluster within "
            + STARTUP_TIMEOUT.toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    private static void requireUnlocked(Path logDir) {
        Path lockFile = logDir.resolve(".lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("Kafka data directory " + logDir
                    + " is in use by another process (its .lock is held)");
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("Kafka data directory " + logDir + " is in use in this JVM", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the lock of Kafka data directory " + logDir, e);
        }
    }

    private static void requirePortFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on " + LOOPBACK + " is in use (" + e.getMessage() + ")",
                e);
        }
    }

    /** @return {@code 127.0.0.1:PORT}, for {@code bootstrap.servers} */
    public String bootstrapServers() {
        return LOOPBACK + ":" + port;
    }

    /** @return the client port */
    public int port() {
        return port;
    }

    /** @return the data directory it was started on */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates a topic unless it exists (replication factor 1), and waits until the broker serves it.
     *
     * @param name the topic name
     * @param partitions the number of partitions
     * @param configs topic configs, e.g. {@code cleanup.policy=compact}
     * @throws IllegalStateException when the topic exists with another number of partitions, or
     *     creation fails
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configs, "configs");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic '" + name + "' needs at least 1 partition, got " + partitions);
        }
        checkOpen();
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
        try {
            admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic '" + name + "': " + e.getCause().getMessage(),
                    e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topic '" + name + "' took longer than "
                + ADMIN_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic '" + name + "'", e);
        }
        int existing = awaitTopic(name);
        if (existing != partitions) {
            throw new IllegalStateException("topic '" + name + "' exists with " + existing
                + " partition(s), not the " + partitions + " asked for");
        }
    }

    /** Waits until the topic's metadata is served, and returns its partition count. */
    private int awaitTopic(String name) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(name);
                boolean led = description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (led) {
                    return description.partitions().size();
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic '" + name + "'", e);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new IllegalStateException("topic '" + name + "' was not served within " + ADMIN_TIMEOUT.toSeconds()
            + " s" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Kafka broker on " + bootstrapServers() + " is closed");
        }
    }

    /** Shuts the broker down and waits until it has; the data directory stays. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        admin.close(Duration.ofSeconds(5));
        try {
            stop(server);
        } finally {
            RUNNING.remove(dataDir.resolve(LOG_DIR_NAME));
        }
        LOG.info("Kafka broker on {} stopped", bootstrapServers());
    }

    private static void stop(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", " + dataDir + "]";
    }
}
