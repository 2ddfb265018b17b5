package io.kingfisher.cli;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.topic.Producers;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import io.kingfisher.sim.DriftSchedule;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.sim.SimulatedRecord;
import io.kingfisher.sim.Simulator;
import io.kingfisher.sim.Simulators;
import io.kingfisher.sim.TimeScale;
import io.kingfisher.sim.Transport;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code kingfisher generate}: a built-in domain's simulator writing to any Kafka, events to {@code <domain>.events}
 * and labels to {@code <domain>.labels}, Avro in the Confluent wire format (schemas registered under the topic-name
 * strategy), keyed by entity. Records are paced by simulated time: each is written when the wall clock reaches its
 * simulated time divided by the time scale, so labels arrive as late, relative to their events, as the scale says,
 * and what is written is the same for a seed whatever the machine's speed (if the producer falls behind it writes as
 * fast as it can and reports the rate it reached).
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write a built-in domain's simulated events and labels to Kafka (Confluent wire format).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--domain", required = true, description = "built-in domain: fraud, clicks or clinical")
    String domainName;

    @Option(names = "--rate", required = true, description = "events per second (wall clock), on average over a simulated "
            + "day: fewer at the simulated night, more at its peak")
    String rate;

    @Option(names = "--duration", required = true, description = "how long to write (wall clock), e.g. 60s, 10m")
    String duration;

    @Option(names = "--seed", description = "simulator seed (default: ${DEFAULT-VALUE})", defaultValue = "42")
    long seed;

    @Option(names = "--drift", defaultValue = "default",
            description = "drift schedule: default (the domain's), none, or points like abrupt@30m,gradual@2h+1h "
                    + "(simulated time since the start; see the README) (default: ${DEFAULT-VALUE})")
    String drift;

    @Option(names = "--time-scale", description = "simulated seconds per wall second, e.g. 600 = 10 simulated minutes a "
            + "second; sets the population so that --rate events a second fill it (default: the domain's default "
            + "population, and the scale it gives at --rate)")
    String timeScale;

    @Option(names = "--delayed-share", defaultValue = "0.01",
            description = "share of events held up on their way, arriving out of order (default: ${DEFAULT-VALUE})")
    double delayedShare;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers, HOST:PORT[,HOST:PORT]")
    String bootstrap;

    @Option(names = "--registry", required = true, description = "schema registry URL (Confluent REST API)")
    String registry;

    @Option(names = "--partitions", defaultValue = "2",
            description = "partitions of the topics, when they do not exist yet (default: ${DEFAULT-VALUE})")
    int partitions;

    @Override
    public Integer call() throws Exception {
        Domain domain = BuiltInDomains.byName(domainName);
        double eventsPerSecond = Flags.positive("--rate", rate);
        Duration runFor = Flags.positiveDuration("--duration", duration);
        if (!(delayedShare >= 0 && delayedShare <= 1)) {
            throw new IllegalArgumentException("--delayed-share: must be in [0, 1], was " + delayedShare);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions: must be >= 1, was " + partitions);
        }
        TimeScale scale;
        double factor;
        if (timeScale == null) {
            scale = TimeScale.NATURAL;
            factor = eventsPerSecond / Simulators.naturalEventsPerSimulatedSecond(domain.name());
        } else {
            factor = Flags.positive("--time-scale", timeScale);
            scale = TimeScale.of(factor, eventsPerSecond);
        }
        Simulator simulator;
        try {
            simulator = Simulators.forDomain(domain, seed, new Simulators.Options(drift, scale, Transport.withDelayedShare(delayedShare)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((e.getMessage().startsWith("drift") ? "--drift: " : "") + e.getMessage(), e);
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "Generating       %s at %,.0f events/s for %s, seed %d, drift %s%n", domain.name(), eventsPerSecond,
                duration, seed, DriftSchedule.parse(drift, Simulators.builtInDrift(domain.name())).spec());
        out.printf(Locale.ROOT, "Time scale       %.0f simulated seconds per second (%s per minute)%s%n", factor,
                human(Duration.ofMillis(Math.round(factor * 60_000))), timeScale == null ? ", the domain's default population" : "");
        ensureTopics(domain, out);
        Summary s = produce(domain, simulator, factor, runFor, out);
        out.printf(Locale.ROOT, "Wrote            %,d events (%,d positive, %,d out of order) to %s, %,d labels to %s%n",
                s.events, s.positives, s.outOfOrder, domain.eventsTopic(), s.labels, domain.labelsTopic());
        double achieved = s.events / Math.max(1e-3, s.wallSeconds);
        out.printf(Locale.ROOT, "Simulated        %s to %s in %.1f s (%,.0f events/s%s)%n", Instant.ofEpochMilli(s.firstTime),
                Instant.ofEpochMilli(s.lastTime), s.wallSeconds, achieved,
                achieved < 0.8 * eventsPerSecond ? "; --rate is the average over a simulated day, and this stretch was quieter"
                        + " or the producer fell behind" : "");
        return 0;
    }

    /** Counts of one run. */
    private static final class Summary {
        long events;
        long positives;
        long outOfOrder;
        long labels;
        long firstTime = Long.MAX_VALUE;
        long lastTime = Long.MIN_VALUE;
        double wallSeconds;
    }

    private Summary produce(Domain domain, Simulator simulator, double factor, Duration runFor, PrintStream out) throws Exception {
        SchemaRegistryClient registryClient = new RestSchemaRegistryClient(registry);
        Map<Class<?>, AvroWireSerializer<SpecificRecord>> serializers = new HashMap<>();
        Summary s = new Summary();
        long simStart = simulator.now();
        long wallStart = System.currentTimeMillis();
        long end = wallStart + runFor.toMillis();
        long nextProgress = wallStart + 5_000;
        long maxEventTime = Long.MIN_VALUE;
        try (KafkaProducer<byte[], byte[]> producer = Producers.reliable(bootstrap, 5)) {
            while (true) {
                SimulatedRecord r = simulator.nextRecord();
                long due = wallStart + Math.round((simulator.now() - simStart) / factor);
                if (due >= end) {
                    break;
                }
                long now = System.currentTimeMillis();
                if (due > now) {
                    Thread.sleep(due - now);
                }
                boolean event = r instanceof SimulatedEvent;
                String topic = event ? domain.eventsTopic() : domain.labelsTopic();
                AvroWireSerializer<SpecificRecord> serializer = serializers.computeIfAbsent(r.value().getClass(),
                        c -> serializerFor(registryClient, r.value()));
                producer.send(new ProducerRecord<>(topic, r.key().getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, r.value())));
                if (r instanceof SimulatedEvent e) {
                    s.events++;
                    s.positives += e.positive() ? 1 : 0;
                    long t = eventTime(domain, e);
                    s.firstTime = Math.min(s.firstTime, t);
                    s.lastTime = Math.max(s.lastTime, t);
                    if (t < maxEventTime) {
                        s.outOfOrder++;
                    }
                    maxEventTime = Math.max(maxEventTime, t);
                } else {
                    s.labels++;
                }
                if (System.currentTimeMillis() >= nextProgress) {
                    nextProgress += 5_000;
                    out.printf(Locale.ROOT, "events %,d | labels %,d | simulated %s%n", s.events, s.labels,
                            Instant.ofEpochMilli(simulator.now()));
                }
            }
            producer.flush();
        }
        s.wallSeconds = (System.currentTimeMillis() - wallStart) / 1000.0;
        if (s.events == 0) {
            s.firstTime = simStart;
            s.lastTime = simStart;
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static AvroWireSerializer<SpecificRecord> serializerFor(SchemaRegistryClient registry, SpecificRecord value) {
        return new AvroWireSerializer<>(registry, (Class<SpecificRecord>) value.getClass());
    }

    private static long eventTime(Domain domain, SimulatedEvent e) {
        Schema.Field f = e.value().getSchema().getField(domain.timeField());
        return ((Number) e.value().get(f.pos())).longValue();
    }

    /** Creates the events and labels topics where they are missing (the broker's default replication). */
    private void ensureTopics(Domain domain, PrintStream out) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : List.of(domain.eventsTopic(), domain.labelsTopic())) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, Optional.of(partitions), Optional.empty()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            missing.forEach(t -> out.printf("Created topic    %s (%d partitions)%n", t.name(), partitions));
        }
    }

    private static String human(Duration d) {
        long s = d.getSeconds();
        if (s >= 86_400) {
            return String.format(Locale.ROOT, "%.1f d", s / 86_400.0);
        }
        if (s >= 3_600) {
            return String.format(Locale.ROOT, "%.1f h", s / 3_600.0);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%.1f min", s / 60.0);
        }
        return s + " s";
    }
}
