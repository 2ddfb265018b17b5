package io.kingfisher.cli;

import io.kingfisher.domain.Domain;
import io.kingfisher.schemas.core.DeadLetter;
import io.kingfisher.schemas.core.LearningEvent;
import io.kingfisher.schemas.core.TrainingExample;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.registry.SchemaRegistryClient;
import io.kingfisher.schemas.topic.Producers;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.sim.Simulator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a running pipeline: produces a {@link Feed} (simulated events with malformed records mixed in, or
 * the rows of a file) at a target rate, reads the scores and dead letters back with a {@code read_committed}
 * consumer, prints a progress line each second and returns the {@link DemoSummary}. Exactly-once is checked
 * by event id: every valid event must be scored once, every malformed record must reach the DLQ.
 */
public final class DemoRun {
    private final Domain domain;
    private final String bootstrap;
    private final String registryUrl;
    private final Feed feed;
    private volatile java.util.function.Consumer<Scored> onScore = s -> { };

    /** What the run reads of each score (see {@link #SCORE_PROJECTION}). */
    public record Scored(String eventId, long ingestTime, long scoreTime, double score, long modelVersion) {
    }

    /**
     * The fields of {@link Score} the run reads. Scores are decoded into this projection (Avro skips the rest, the
     * feature vector above all), so the run's own reading costs less of the cores the pipeline runs on: its consumer
     * thread was a seventh of the Java samples at {@code --rate max} while it decoded whole scores with boxed
     * features (the throughput did not move measurably: 26.8k before, 26.9k and 27.2k events/s after).
     */
    static final org.apache.avro.Schema SCORE_PROJECTION = project(Score.getClassSchema(),
            "event_id", "ingest_time", "score_time", "score", "model_version");

    private static org.apache.avro.Schema project(org.apache.avro.Schema full, String... names) {
        List<org.apache.avro.Schema.Field> fields = new java.util.ArrayList<>();
        for (String n : names) {
            org.apache.avro.Schema.Field f = full.getField(n);
            fields.add(new org.apache.avro.Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
        }
        return org.apache.avro.Schema.createRecord(full.getName(), full.getDoc(), full.getNamespace(), false, fields);
    }

    /** A score as the run reads it. */
    static Scored scored(org.apache.avro.generic.GenericRecord r) {
        return new Scored(r.get("event_id").toString(), (Long) r.get("ingest_time"), (Long) r.get("score_time"),
                (Double) r.get("score"), (Long) r.get("model_version"));
    }
    private volatile LearningTracker learning;
    private final double rate;
    private final Duration duration;
    private final Duration drainTimeout;
    private final Duration warmup;
    private final PrintStream out;
    private final long launchedAtMillis;

    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong badProduced = new AtomicLong();
    private final AtomicLong scores = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong lastVersion = new AtomicLong(-1);
    private final AtomicLong firstScoreAt = new AtomicLong();
    private final AtomicLong lastScoreAt = new AtomicLong();
    /**
     * As fast as possible, how far the warm-up may run ahead of the scores: enough to keep every stage busy (a few
     * seconds of work), little enough that the measured run does not wait long for the backlog.
     */
    private static final long WARM_UP_AHEAD = 50_000;
    /** A score this close to the end of the drain wait means scores were still arriving when it ended. */
    private static final long DRAIN_STILL_ARRIVING_MS = 2_000;
    private final AtomicBoolean stop = new AtomicBoolean();
    /** Wall-clock start of the measured run: events before it were the warm-up trickle. */
    private final AtomicLong steadyFrom = new AtomicLong(Long.MAX_VALUE);
    /** The process's CPU time when the measured run started. */
    private volatile ThreadCpu.Snapshot cpuFrom;
    private CheckpointSource checkpointSource;

    /**
     * @param feed             what to produce; a finite feed ends the run when exhausted
     * @param rate             target records per second; 0 or less = as fast as possible
     * @param duration         how long to produce after the warm-up; null = until the feed is exhausted
     * @param warmup           how long to run at the target rate before measuring latency (JIT, caches, RocksDB);
     *                         records in the warm-up are produced, scored and counted like all others; as fast as
     *                         possible ({@code rate} 0 or less), the warm-up runs at most {@value #WARM_UP_AHEAD}
     *                         events ahead of the scores and the measured run starts once they are all scored
     * @param launchedAtMillis when the user started the command (for time to first score)
     */
    public DemoRun(Domain domain, String bootstrap, String registryUrl, Feed feed, double rate, Duration duration,
                   Duration drainTimeout, Duration warmup, PrintStream out, long launchedAtMillis) {
        this.domain = domain;
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.feed = feed;
        this.rate = rate;
        this.duration = duration;
        this.drainTimeout = drainTimeout;
        this.warmup = warmup;
        this.out = out;
        this.launchedAtMillis = launchedAtMillis;
    }

    /** A simulator-driven run that injects a malformed record every {@code badEvery} events. */
    public static DemoRun simulated(Domain domain, String bootstrap, String registryUrl, Simulator simulator, int badEvery,
                                    double rate, Duration duration, Duration drainTimeout, Duration warmup, PrintStream out,
                                    long launchedAtMillis) {
        Feed feed = new SimulatorFeed(domain, simulator, new RestSchemaRegistryClient(registryUrl), badEvery);
        return new DemoRun(domain, bootstrap, registryUrl, feed, rate, duration, drainTimeout, warmup, out, launchedAtMillis);
    }

    /** Also hands every score read back to {@code listener} (on the consumer thread). */
    public DemoRun onScore(java.util.function.Consumer<Scored> listener) {
        this.onScore = listener;
        return this;
    }

    /** Reads the scoring job's checkpoint statistics for a span of wall-clock time. */
    @FunctionalInterface
    public interface CheckpointSource {
        CheckpointPauses read(long fromMillis, long toMillis) throws Exception;
    }

    /** Also reports how long the scoring job's tasks paused for the measured part's checkpoints. */
    public DemoRun checkpoints(CheckpointSource source) {
        this.checkpointSource = source;
        return this;
    }

    /** Also judges the learning loop: reads examples and the trainer's decisions, and scores with the frozen warm start. */
    DemoRun learning(LearningTracker tracker) {
        this.learning = tracker;
        return this;
    }

    public DemoSummary run() throws Exception {
        SchemaRegistryClient registry = new RestSchemaRegistryClient(registryUrl);
        Tracker tracker = new Tracker();
        java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(1);
        Thread consumer = new Thread(() -> consume(registry, tracker, positioned), "demo-consumer");
        consumer.setDaemon(true);
        consumer.start();
        if (!positioned.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("the demo's consumer could not reach the broker at " + bootstrap + " within 60 s");
        }
        Thread progress = new Thread(() -> progress(tracker), "demo-progress");
        progress.setDaemon(true);

        IdLog producedIds = new IdLog();
        progress.start();
        try (GcPauses gc = GcPauses.listen()) {
            return produceAndSummarise(tracker, consumer, progress, producedIds, gc);
        }
    }

    private DemoSummary produceAndSummarise(Tracker tracker, Thread consumer, Thread progress, IdLog producedIds, GcPauses gc) throws Exception {
        produce(producedIds);
        long start = steadyFrom.get();
        long producedEnd = System.currentTimeMillis();

        long deadline = System.currentTimeMillis() + drainTimeout.toMillis();
        waitUntilCaughtUp(deadline);
        ThreadCpu.Snapshot cpuTo = ThreadCpu.take();
        CheckpointPauses pauses = checkpointPauses(start, producedEnd);
        // A little longer, so duplicates that would follow the last expected record are seen too.
        Thread.sleep(Math.min(1000, Math.max(0, deadline - System.currentTimeMillis())));
        stop.set(true);
        consumer.join(10_000);
        progress.join(2_000);
        out.println();

        IdLog.Reconciled ids;
        synchronized (tracker) {
            ids = IdLog.reconcile(producedIds, tracker.scored);
        }
        // Scores still coming in at the end of the wait: the pipeline was behind, not losing events.
        boolean drainTimedOut = ids.missing() > 0 && lastScoreAt.get() >= deadline - DRAIN_STILL_ARRIVING_MS;
        long endOfScores = lastScoreAt.get() == 0 ? producedEnd : lastScoreAt.get();
        double seconds = Math.max(1e-3, (endOfScores - start) / 1000.0);
        ThreadCpu.Snapshot from = cpuFrom;
        synchronized (tracker) {
            DemoSummary.Cpu cpu = from == null ? null : DemoSummary.Cpu.of(ThreadCpu.between(from, cpuTo),
                    (cpuTo.wallNanos() - from.wallNanos()) / 1e9, tracker.measured);
            return new DemoSummary(domain.name(), (producedEnd - start) / 1000.0, warmup.toMillis() / 1000.0, produced.get(), badProduced.get(),
                    scores.get(), deadLetters.get(), ids.duplicates(), ids.missing(), ids.unexpected(),
                    tracker.measured / seconds,
                    new DemoSummary.Latency(tracker.latency.percentile(50), tracker.latency.percentile(99), tracker.latency.percentile(100)),
                    new DemoSummary.Latency(tracker.visible.percentile(50), tracker.visible.percentile(99), tracker.visible.percentile(100)),
                    firstScoreAt.get() == 0 ? Double.NaN : (firstScoreAt.get() - launchedAtMillis) / 1000.0,
                    List.copyOf(tracker.versions), Map.copyOf(tracker.dlqKinds), drainTimedOut, cpu, pauses,
                    pauses == null ? null : tracker.tail.attribute(pauses.spans(), pauses.taskSpans(), gc.between(start, endOfScores)),
                    learning == null ? null : learning.summary());
        }
    }

    /** The checkpoint pauses of the measured part, or null without a source or when it cannot be read (said why). */
    private CheckpointPauses checkpointPauses(long from, long to) {
        if (checkpointSource == null || from >= to) { // no source, or the warm-up never ended
            return null;
        }
        try {
            return checkpointSource.read(from, to);
        } catch (Exception e) {
            out.println("  (no checkpoint statistics in the summary: " + e + ")");
            return null;
        }
    }

    private void produce(IdLog producedIds) throws Exception {
        // Uncompressed: the run drives the in-process broker, where lz4 saves no network, and Kafka allocates an LZ4
        // block buffer per producer batch. Those were 15% of all the bytes the JVM allocated at 12,700 events/s,
        // garbage whose young collections stall the pipeline sharing the heap: the event->score p99 was 127 and 78 ms
        // without compression against 209 and 115 ms with it (alternated, docs/benchmarks.md).
        try (KafkaProducer<byte[], byte[]> producer = Producers.reliable(bootstrap, 1, "none")) {
            // Warm-up: a trickle until the first score is committed, so the measured run starts on a running
            // pipeline. These records are counted like all others; only latency statistics skip them.
            long readyDeadline = System.currentTimeMillis() + 180_000;
            boolean exhausted = false;
            while (firstScoreAt.get() == 0 && !exhausted) {
                if (System.currentTimeMillis() > readyDeadline) {
                    throw new IllegalStateException("no score arrived within 180 s of starting the job; see the log above");
                }
                exhausted = !send(producer, producedIds);
                Thread.sleep(100);
            }
            long start = System.currentTimeMillis();
            long measureFrom = start + warmup.toMillis();
            if (firstScoreAt.get() != 0) {
                out.printf("pipeline ready: first score %.1f s after launch; %s%n", (firstScoreAt.get() - launchedAtMillis) / 1000.0,
                        warmup.isZero() ? "measuring from now" : "warming up for " + warmup.toMillis() / 1000.0 + " s, then measuring");
            }
            long end = duration == null ? Long.MAX_VALUE : measureFrom + duration.toMillis();
            boolean measuring = warmup.isZero();
            if (measuring) {
                measureFrom(start);
            }
            long n = 0;
            while (!exhausted) {
                long now = System.currentTimeMillis();
                if (now >= end) {
                    break;
                }
                if (!measuring && now >= measureFrom) {
                    if (rate <= 0) {
                        // As fast as possible, the warm-up left up to WARM_UP_AHEAD events behind; measured on top of
                        // them, the run would count only the events sent after it while spending time on those too.
                        now = awaitCaughtUp(producer);
                        end = duration == null ? Long.MAX_VALUE : now + duration.toMillis();
                    }
                    measuring = true;
                    measureFrom(now);
                }
                if (rate <= 0 && !measuring && produced.get() - scores.get() > WARM_UP_AHEAD) {
                    Thread.sleep(1); // a warm-up as fast as possible keeps the pipeline busy, not a backlog growing
                    continue;
                }
                if (rate > 0) {
                    long due = (long) ((now - start) / 1000.0 * rate);
                    if (n >= due) {
                        Thread.sleep(1);
                        continue;
                    }
                }
                exhausted = !send(producer, producedIds);
                n++;
            }
            steadyFrom.compareAndSet(Long.MAX_VALUE, start); // a feed that ran out during warm-up: measure all of it (its CPU was not sampled: no cpu section)
            producer.flush();
        }
    }

    /** Starts the measured run: latency and throughput count scores of events sent from {@code now}. */
    private void measureFrom(long now) {
        cpuFrom = ThreadCpu.take();
        steadyFrom.set(now);
    }

    /**
     * Waits until every record sent so far is scored or dead-lettered (at most the drain timeout), printing how long
     * the backlog took.
     *
     * @return the time the wait ended
     */
    private long awaitCaughtUp(KafkaProducer<byte[], byte[]> producer) throws InterruptedException {
        producer.flush();
        long from = System.currentTimeMillis();
        waitUntilCaughtUp(from + drainTimeout.toMillis());
        long now = System.currentTimeMillis();
        out.printf("warm-up done: %,d events; their backlog took %.1f s to score; measuring from now%n",
                produced.get() + badProduced.get(), (now - from) / 1000.0);
        return now;
    }

    /** Waits until every valid record sent so far is scored and every malformed one dead-lettered, or the deadline. */
    private void waitUntilCaughtUp(long deadline) throws InterruptedException {
        while (System.currentTimeMillis() < deadline && (scores.get() < produced.get() || deadLetters.get() < badProduced.get())) {
            Thread.sleep(20);
        }
    }

    /** Sends the feed's next record; false when the feed is exhausted. */
    private boolean send(KafkaProducer<byte[], byte[]> producer, IdLog producedIds) {
        Feed.Item item = feed.next();
        if (item == null) {
            return false;
        }
        producer.send(new ProducerRecord<>(item.topic(), item.key(), item.value()));
        LearningTracker judge = learning;
        if (judge != null && item.topic().equals(domain.labelsTopic())) {
            judge.labelSent(System.currentTimeMillis());
        }
        if (item.scoredEventId() != null) {
            producedIds.add(IdLog.hash(item.scoredEventId()));
            produced.incrementAndGet();
        } else if (item.deadLetter()) {
            badProduced.incrementAndGet();
        }
        return true;
    }

    /** Reads scores and dead letters written from now on (earlier runs on the same topics are not counted). */
    private void consume(SchemaRegistryClient registry, Tracker tracker, java.util.concurrent.CountDownLatch positioned) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        AvroWireDeserializer<org.apache.avro.generic.GenericRecord> scoreDe = AvroWireDeserializer.generic(registry, SCORE_PROJECTION);
        AvroWireDeserializer<DeadLetter> dlqDe = new AvroWireDeserializer<>(registry, DeadLetter.class);
        AvroWireDeserializer<TrainingExample> exampleDe = new AvroWireDeserializer<>(registry, TrainingExample.class);
        AvroWireDeserializer<LearningEvent> learningDe = new AvroWireDeserializer<>(registry, LearningEvent.class);
        LearningTracker judge = learning;
        String examplesTopic = Topics.examples(domain.name());
        String learningTopic = Topics.learning(domain.name());
        String dlqTopic = domain.dlqTopic(); // once: building a topic name validates it, too slow per record
        java.util.Set<String> learningSources = java.util.Set.of(domain.labelsTopic(), domain.scoresTopic(), examplesTopic);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = new java.util.ArrayList<>();
            List<String> topics = judge == null ? List.of(domain.scoresTopic(), domain.dlqTopic())
                    : List.of(domain.scoresTopic(), domain.dlqTopic(), examplesTopic, learningTopic);
            for (String t : topics) {
                c.partitionsFor(t, Duration.ofSeconds(30)).forEach(pi -> parts.add(new org.apache.kafka.common.TopicPartition(t, pi.partition())));
            }
            c.assign(parts);
            c.seekToEnd(parts);
            parts.forEach(c::position); // resolve the end offsets now, before anything is produced
            positioned.countDown();
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    long now = System.currentTimeMillis();
                    if (judge != null && r.topic().equals(examplesTopic)) {
                        judge.example(exampleDe.deserialize(r.topic(), r.value()));
                        continue;
                    }
                    if (judge != null && r.topic().equals(learningTopic)) {
                        judge.learning(learningDe.deserialize(r.topic(), r.value()));
                        continue;
                    }
                    if (r.topic().equals(dlqTopic)) {
                        DeadLetter d = dlqDe.deserialize(r.topic(), r.value());
                        synchronized (tracker) {
                            tracker.dlqKinds.merge(d.getErrorKind(), 1L, Long::sum);
                        }
                        // Dead letters of the learning job (labels that labelled nothing, unreadable scores or
                        // examples) are listed by kind but are not the injected bad events this run accounts for.
                        if (!learningSources.contains(d.getSourceTopic())) {
                            deadLetters.incrementAndGet();
                        }
                        continue;
                    }
                    Scored s = scored(scoreDe.deserialize(r.topic(), r.value()));
                    synchronized (tracker) {
                        tracker.scored.add(IdLog.hash(s.eventId()));
                        if (s.ingestTime() >= steadyFrom.get()) {
                            tracker.latency.record(s.scoreTime() - s.ingestTime());
                            tracker.tail.record(s.ingestTime(), s.scoreTime());
                            tracker.visible.record(now - s.ingestTime());
                            tracker.measured++;
                        }
                        tracker.versions.add(s.modelVersion());
                    }
                    onScore.accept(s);
                    if (judge != null) {
                        judge.scored(s.modelVersion(), s.scoreTime());
                    }
                    lastVersion.set(s.modelVersion());
                    firstScoreAt.compareAndSet(0, now);
                    lastScoreAt.set(now);
                    scores.incrementAndGet();
                }
            }
        }
    }

    private void progress(Tracker tracker) {
        boolean tty = System.console() != null;
        long lastScores = 0;
        long lastT = System.currentTimeMillis();
        int tick = 0;
        while (!stop.get()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.currentTimeMillis();
            long s = scores.get();
            double eps = (s - lastScores) * 1000.0 / Math.max(1, now - lastT);
            lastScores = s;
            lastT = now;
            double[] pct;
            synchronized (tracker) {
                pct = tracker.latency.window(50, 99);
            }
            String line = String.format(java.util.Locale.ROOT,
                    "events %,d | scores %,d | dlq %,d | %,.0f ev/s | p50 %s p99 %s | model v%s",
                    produced.get() + badProduced.get(), s, deadLetters.get(), eps, ms(pct[0]), ms(pct[1]),
                    lastVersion.get() < 0 ? "-" : lastVersion.get());
            if (tty) {
                out.print("\r" + line + "   ");
                out.flush();
            } else if (tick++ % 5 == 0) {
                out.println(line);
            }
        }
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, "%.0f ms", v);
    }

    /** Consumer-side bookkeeping; guarded by its own monitor. */
    private static final class Tracker {
        final IdLog scored = new IdLog();
        final LatencyRecorder latency = new LatencyRecorder();
        final LatencyRecorder visible = new LatencyRecorder();
        final TailCauses tail = new TailCauses();
        final TreeSet<Long> versions = new TreeSet<>();
        final Map<String, Long> dlqKinds = new TreeMap<>();
        long measured;
    }
}
