package io.kingfisher.bench;

import io.kingfisher.config.Config;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureEngine;
import io.kingfisher.features.FeatureStages;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.LateEventException;
import io.kingfisher.features.NumericRule;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.features.flink.FeatureFunction;
import io.kingfisher.features.flink.FeaturePipeline;
import io.kingfisher.features.flink.InputEvents;
import io.kingfisher.jobs.FlinkEnvironments;
import io.kingfisher.jobs.JobSettings;
import io.kingfisher.sim.FraudSimulator;
import io.kingfisher.sim.Simulator;
import io.kingfisher.sim.Simulators;
import org.apache.avro.generic.IndexedRecord;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Throughput and state size of the feature operator, per built-in domain, on RocksDB.
 *
 * <p>How it measures. The domain's simulator makes the events (synthetic ones, drawn from the spec's inputs,
 * for a domain without a simulator), which are decoded into {@link InputEvent}s before the clock starts. Then a
 * real Flink job runs on a one-slot MiniCluster at parallelism 1, with the scoring job's Flink settings: a source that
 * hands out the pre-built events, the feature stages on the embedded RocksDB backend (the {@link FeatureFunction}:
 * each event reads the entity's state, computes every feature, writes the state back; for a domain with related
 * entities, as in the scoring job ({@link FeaturePipeline}), its twin for the primary entity, then one
 * {@code RelatedFeatureOperator} per related entity, which holds the states it touches on the heap and writes them
 * back at checkpoints (here, with no checkpoint during the timed run, every 10 s), and the step that fills the lookup
 * columns), and a sink that
 * counts the vectors and drops them. Source, operators and sink are chained into one task, so one thread does all
 * the per-event work, the related stages' included:
 * the figure is events per second of that thread, i.e. per core (RocksDB's background flushes and compactions
 * and the JVM's GC run on other threads), by the wall clock and by the thread's CPU time (steadier when other
 * processes share the machine). The first 10% of the events are warm-up and not timed. The source
 * then idles, a canonical savepoint is taken, and its size over the number of distinct entities is the state per
 * entity, keys, TTL timestamps and serialization framing included. For comparison it also times the bare
 * {@link FeatureEngine} over the same events on heap arrays (no Flink, no RocksDB, no serialization), through
 * {@link OfflineFeatures} (the same stages).
 *
 * <p>What it does not include: the keyBy network shuffles (and their serialization) between decoding and the
 * feature operator, and between the feature stages, in {@code ScoreJob}, Kafka, Avro decoding. State that outgrows RocksDB's memory (many more
 * entities than here) adds disk reads per event.
 *
 * <p>To try other Flink settings, pass them as the jobs take them ({@link JobSettings#FLINK}), e.g.
 * {@code kingfisher bench features -D flink.state.backend.rocksdb.use-bloom-filter=true}: checked at start-up, and
 * set over the bench's own settings.
 */
public final class FeatureBench {
    /** JSON key: events per second through the operator in one task thread. */
    public static final String UPDATES_PER_SEC_PER_CORE = "updates_per_sec_per_core";
    /** JSON key: bytes of canonical savepoint per distinct entity. */
    public static final String STATE_BYTES_PER_ENTITY = "state_bytes_per_entity";
    /**
     * Also reported: events per second of the task thread's CPU time, the same work measured without the time
     * the thread spent descheduled (a steadier figure on a shared machine; it leaves out RocksDB's background
     * threads and GC, as the wall-clock figure does on a free core).
     */
    public static final String PER_TASK_CPU_SEC = "updates_per_task_cpu_sec";
    /** Also reported: the bare engine's events per second on heap arrays. */
    public static final String ENGINE_ONLY_PER_SEC = "engine_only_per_sec";
    /** Also reported: doubles of state per entity in the spec's layout. */
    public static final String STATE_DOUBLES = "state_doubles";
    /** Also reported: related entities' stages, their distinct entities (all stages together) and doubles of state each. */
    public static final String RELATED_STAGES = "related_stages";
    public static final String RELATED_ENTITIES = "related_entities";
    public static final String RELATED_STATE_DOUBLES = "related_state_doubles";
    /**
     * Also reported, for a domain with related entities: the same figures for its spec without them (no lookups, nor the
     * derived features that read them) over the same events in the same run, i.e. what the related stages cost.
     */
    public static final String OWN_UPDATES_PER_SEC_PER_CORE = "without_related_updates_per_sec_per_core";
    public static final String OWN_STATE_BYTES_PER_ENTITY = "without_related_state_bytes_per_entity";
    public static final String OWN_PER_TASK_CPU_SEC = "without_related_updates_per_task_cpu_sec";
    /** Also reported: events measured and distinct entities among them. */
    public static final String EVENTS = "events";
    public static final String ENTITIES = "entities";
    /** Also reported: 1 when the events came from the domain's simulator, 0 when synthetic. */
    public static final String SIMULATED = "simulated";

    public static final int DEFAULT_EVENTS = 1_000_000;
    public static final int DEFAULT_ENTITIES = 100_000;
    /** The targets for this machine class. */
    public static final double TARGET_UPDATES_PER_SEC_PER_CORE = 100_000;
    public static final double TARGET_STATE_BYTES_PER_ENTITY = 1024;

    private static final long SEED = 17L;
    private static final long SIMULATION_START = 1_767_225_600_000L;
    private static final Duration STATE_TTL = Duration.ofDays(30);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(30);

    /** Pre-built events and probes, by run id: the MiniCluster runs in this JVM. */
    private static final Map<String, InputEvent[]> EVENTS_BY_RUN = new ConcurrentHashMap<>();
    private static final Map<String, Probe> PROBES = new ConcurrentHashMap<>();

    private FeatureBench() {
    }

    /**
     * Measures every built-in domain's feature spec.
     *
     * @param events   events per domain (the first 10% are warm-up)
     * @param entities entities to spread them over: the fraud simulator's cards, or the synthetic events' entities
     *                 (another domain's simulator keeps its own population)
     * @param flink    {@code flink.<option>} settings ({@link JobSettings#FLINK}) for the job, set over the bench's own;
     *                 all checked before anything runs (a {@link io.kingfisher.config.ConfigException} names a bad key)
     * @return per domain name: {@value #UPDATES_PER_SEC_PER_CORE}, {@value #STATE_BYTES_PER_ENTITY} and the
     * context figures {@value #PER_TASK_CPU_SEC}, {@value #ENGINE_ONLY_PER_SEC}, {@value #STATE_DOUBLES},
     * {@value #EVENTS}, {@value #ENTITIES}, {@value #SIMULATED}
     */
    public static Map<String, Map<String, Double>> run(int events, int entities, Map<String, String> flink) throws Exception {
        Config.of(flink, List.of(), JobSettings.FLINK); // every key checked before anything runs
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Domain domain : builtInDomains()) {
            out.put(domain.name(), measure(domain, domain.features(), events, entities, flink));
        }
        return out;
    }

    /**
     * Measures one spec over one domain's events (the spec may differ from the domain's own, e.g. to try new features).
     *
     * @param flink as for {@link #run}
     */
    public static Map<String, Double> measure(Domain domain, FeatureSpec spec, int events, int entities,
                                              Map<String, String> flink) throws Exception {
        if (events < 100 || entities < 1) {
            throw new IllegalArgumentException("bench features: need at least 100 events and 1 entity, was " + events + " and " + entities);
        }
        boolean simulated = simulator(domain, entities) != null;
        InputEvent[] in = events(domain, spec, events, entities);
        long distinct = java.util.Arrays.stream(in).map(e -> e.entity).distinct().count();
        FeatureStages stages = new FeatureStages(spec);
        long relatedDistinct = 0;
        double relatedDoubles = 0;
        for (int i = 0; i < stages.relatedStages(); i++) {
            int stage = i;
            relatedDistinct += java.util.Arrays.stream(in).map(e -> stages.relatedKey(stage, e.texts)).filter(k -> k != null).distinct().count();
            relatedDoubles += spec.relatedSpec(i).stateSize();
            if (spec.relatedLabelSpec(i) != null) { // the bench feeds no labels: their state is counted, not exercised
                relatedDoubles += spec.relatedLabelSpec(i).stateSize();
            }
        }
        double[] engineOnly = engineOnly(spec, in);
        Path dir = Files.createTempDirectory("kingfisher-bench-");
        try {
            double[] job = runJob(spec, in, (long) engineOnly[1], dir, flink);
            Map<String, Double> result = new LinkedHashMap<>();
            result.put(UPDATES_PER_SEC_PER_CORE, job[0]);
            result.put(STATE_BYTES_PER_ENTITY, job[1] / distinct);
            result.put(PER_TASK_CPU_SEC, job[2]);
            result.put(ENGINE_ONLY_PER_SEC, engineOnly[0]);
            result.put(STATE_DOUBLES, (double) spec.stateSize());
            result.put(RELATED_STAGES, (double) stages.relatedStages());
            result.put(RELATED_ENTITIES, (double) relatedDistinct);
            result.put(RELATED_STATE_DOUBLES, relatedDoubles);
            result.put(EVENTS, (double) events);
            result.put(ENTITIES, (double) distinct);
            result.put(SIMULATED, simulated ? 1.0 : 0.0);
            if (spec.hasRelated()) {
                // the same events through the primary stage alone, in the same run: what the related stages cost
                FeatureSpec own = withoutRelated(spec);
                double[] ownJob = runJob(own, in, (long) engineOnly[1], Files.createDirectories(dir.resolve("own")), flink);
                result.put(OWN_UPDATES_PER_SEC_PER_CORE, ownJob[0]);
                result.put(OWN_STATE_BYTES_PER_ENTITY, ownJob[1] / distinct);
                result.put(OWN_PER_TASK_CPU_SEC, ownJob[2]);
            }
            return result;
        } finally {
            deleteRecursively(dir);
        }
    }

    /**
     * The spec's primary features without its lookups and the derived features that read them (transitively): what
     * the primary entity's stage computes. Lookups and derived features read no event field, so the events of the full
     * spec fit it (its inputs are a prefix of the full spec's).
     */
    static FeatureSpec withoutRelated(FeatureSpec spec) {
        java.util.Set<String> dropped = new java.util.HashSet<>();
        List<FeatureDef> kept = new java.util.ArrayList<>(spec.features());
        boolean changed = true;
        while (changed) {
            changed = kept.removeIf(d -> (d instanceof FeatureDef.Lookup || d.references().stream().anyMatch(dropped::contains))
                    && dropped.addAll(d.outputs()));
        }
        FeatureSpec own = FeatureSpec.of(kept).withAllowedLateness(spec.allowedLateness());
        if (!own.numericInputs().equals(spec.numericInputs().subList(0, own.numericInputs().size()))
                || !own.textInputs().equals(spec.textInputs().subList(0, own.textInputs().size()))) {
            throw new IllegalStateException("the inputs of " + own + " are not a prefix of " + spec + "'s");
        }
        return own;
    }

    /** The built-in domains, in {@link BuiltInDomains#NAMES} order. */
    static List<Domain> builtInDomains() {
        return BuiltInDomains.NAMES.stream().map(BuiltInDomains::byName).toList();
    }

    /**
     * The events the feature operator receives: the domain's simulator decoded through the spec's input binding
     * (the fraud simulator sized to {@code entities} cards; another simulator keeps its own population), or,
     * for a domain without a simulator, {@link #synthetic synthetic} events. Entity keys are shared, not copied.
     */
    static InputEvent[] events(Domain domain, FeatureSpec spec, int events, int entities) {
        Simulator sim = simulator(domain, entities);
        if (sim == null) {
            return synthetic(spec, domain.rules(), events, entities);
        }
        AvroInputBinding binding = new AvroInputBinding(domain.eventSchema(), spec, domain.idField(), domain.keyField(),
                domain.timeField(), domain.rules());
        Map<String, String> keys = new HashMap<>();
        InputEvent[] out = new InputEvent[events];
        for (int i = 0; i < events; i++) {
            InputEvent e = binding.extract((IndexedRecord) sim.next().value(), 0L);
            e.entity = keys.computeIfAbsent(e.entity, k -> k);
            out[i] = e;
        }
        return out;
    }

    /** The domain's simulator, or null when it has none. */
    private static Simulator simulator(Domain domain, int entities) {
        if ("fraud".equals(domain.name())) {
            return new FraudSimulator(SEED, entities, 3.0, 0.003, SIMULATION_START);
        }
        try {
            return Simulators.forDomain(domain, SEED);
        } catch (IllegalArgumentException noSimulator) {
            return null;
        }
    }

    /**
     * Events straight from the spec's inputs, for a domain without a simulator: entities drawn uniformly, three
     * events per entity per simulated day on average, in time order; numbers uniform within their rule's range
     * (else 0..1000); texts one of the categories a one-hot feature of the field knows (else one of 20 values).
     */
    static InputEvent[] synthetic(FeatureSpec spec, List<NumericRule> rules, int events, int entities) {
        SplittableRandom rnd = new SplittableRandom(SEED);
        String[] keys = new String[entities];
        for (int i = 0; i < entities; i++) {
            keys[i] = "entity-" + i;
        }
        List<String> numeric = spec.numericInputs();
        double[][] ranges = new double[numeric.size()][];
        for (int i = 0; i < numeric.size(); i++) {
            String field = numeric.get(i);
            ranges[i] = rules.stream().filter(r -> r.field().equals(field)).findFirst()
                    .map(r -> new double[]{Math.max(r.min(), -1e6), Math.min(r.max(), 1e6)})
                    .orElse(new double[]{0, 1000});
        }
        List<String> texts = spec.textInputs();
        String[][] vocabulary = new String[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            String field = texts.get(i);
            vocabulary[i] = spec.features().stream()
                    .filter(f -> f instanceof FeatureDef.OneHot oh && oh.field().equals(field))
                    .map(f -> ((FeatureDef.OneHot) f).categories().toArray(String[]::new))
                    .findFirst()
                    .orElseGet(() -> IntStream.range(0, 20).mapToObj(v -> field + "-" + v).toArray(String[]::new));
        }
        double meanGapMs = 86_400_000.0 / (3.0 * entities);
        long t = SIMULATION_START;
        InputEvent[] out = new InputEvent[events];
        for (int i = 0; i < events; i++) {
            t += Math.round(-Math.log(1 - rnd.nextDouble()) * meanGapMs);
            double[] numbers = new double[ranges.length];
            for (int k = 0; k < numbers.length; k++) {
                numbers[k] = ranges[k][0] + rnd.nextDouble() * (ranges[k][1] - ranges[k][0]);
            }
            String[] values = new String[vocabulary.length];
            for (int k = 0; k < values.length; k++) {
                values[k] = vocabulary[k][rnd.nextInt(vocabulary[k].length)];
            }
            out[i] = new InputEvent("ev-" + i, keys[rnd.nextInt(entities)], t, t, numbers, values);
        }
        return out;
    }

    /**
     * Events per second of the bare engine on heap arrays, after one untimed pass, and how many events it
     * accepted (the operator emits vectors for those only; the rest go to its side output).
     */
    private static double[] engineOnly(FeatureSpec spec, InputEvent[] in) {
        double rate = 0;
        long accepted = 0;
        for (int pass = 0; pass < 2; pass++) {
            OfflineFeatures features = new OfflineFeatures(spec);
            accepted = 0;
            long t0 = System.nanoTime();
            for (InputEvent e : in) {
                try {
                    features.next(e);
                    accepted++;
                } catch (LateEventException | InvalidInputException rejected) {
                    // counted by omission
                }
            }
            rate = in.length / ((System.nanoTime() - t0) / 1e9);
        }
        return new double[]{rate, accepted};
    }

    /**
     * Runs the job until {@code vectors} vectors came out; returns events per second after warm-up (wall clock),
     * savepoint bytes, and events per second of the task thread's CPU time.
     */
    private static double[] runJob(FeatureSpec spec, InputEvent[] in, long vectors, Path dir, Map<String, String> flink)
            throws Exception {
        String run = UUID.randomUUID().toString();
        int warmup = in.length / 10;
        Probe probe = new Probe(warmup, vectors);
        EVENTS_BY_RUN.put(run, in);
        PROBES.put(run, probe);
        try {
            // The job's own Flink settings (RocksDB, incremental checkpoints), one slot, the local stack's RocksDB
            // memory, and the caller's flink.<option> settings over all of these.
            Map<String, String> raw = new HashMap<>(flink);
            raw.put(JobSettings.CHECKPOINT_DIR.key(), dir.resolve("checkpoints").toUri().toString());
            Configuration bench = new Configuration();
            bench.set(TaskManagerOptions.NUM_TASK_SLOTS, 1);
            bench.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
            Configuration conf = FlinkEnvironments.flinkConfiguration(
                    Config.of(raw, List.of(JobSettings.CHECKPOINT_DIR), JobSettings.FLINK), bench);
            conf.removeConfig(CheckpointingOptions.CHECKPOINTING_INTERVAL); // no checkpoint during the timed run
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
            // All events pass the gate, then the source waits for a checkpoint that never comes, keeping the job up
            // for the savepoint.
            DataStream<InputEvent> events = env.fromSource(
                    new DataGeneratorSource<>(new StoredEvents(run), 2L * in.length, RateLimiterStrategy.perCheckpoint(in.length),
                            InputEvents.TYPE),
                    WatermarkStrategy.noWatermarks(), "events");
            // one task: every stage keyed by reinterpreting its input, no shuffle at parallelism 1
            FeaturePipeline.build(events, spec, STATE_TTL, "bench", true).featured()
                    .sinkTo(new ProbeSink(run)).name("count-and-discard");
            JobClient job = env.executeAsync("bench-features");
            CompletableFuture<JobExecutionResult> ended = job.getJobExecutionResult();
            long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
            while (!probe.done.await(1, TimeUnit.SECONDS)) {
                if (ended.isDone()) {
                    ended.get(); // throws with the job's failure
                    throw new IllegalStateException("the benchmark job ended after " + probe.count + " of " + vectors + " vectors");
                }
                if (System.nanoTime() > deadline) {
                    job.cancel().get();
                    throw new IllegalStateException("the benchmark job did not finish within " + JOB_TIMEOUT);
                }
            }
            String savepoint = job.stopWithSavepoint(false, dir.resolve("savepoint").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(5, TimeUnit.MINUTES);
            double seconds = (probe.endNanos - probe.startNanos) / 1e9;
            double cpuSeconds = (probe.endCpuNanos - probe.startCpuNanos) / 1e9;
            return new double[]{(in.length - warmup) / seconds, sizeOf(Path.of(URI.create(savepoint))), (in.length - warmup) / cpuSeconds};
        } finally {
            EVENTS_BY_RUN.remove(run);
            PROBES.remove(run);
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).sum();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A table for people, with the targets. */
    public static String table(Map<String, Map<String, Double>> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-10s %-9s %11s %9s %7s %17s %14s %14s %14s %14s%n",
                "domain", "events", "count", "entities", "doubles", "related (doubles)", "events/s/core", "per CPU-s", "engine-only/s",
                "state B/entity"));
        results.forEach((domain, r) -> {
            sb.append(String.format(Locale.ROOT, "%-10s %-9s %,11.0f %,9.0f %7.0f %17s %,14.0f %,14.0f %,14.0f %,14.0f%n",
                    domain, r.getOrDefault(SIMULATED, 1.0) > 0 ? "simulated" : "synthetic", r.get(EVENTS), r.get(ENTITIES),
                    r.get(STATE_DOUBLES), r.getOrDefault(RELATED_STAGES, 0.0) == 0 ? "-"
                            : String.format(Locale.ROOT, "%,.0f (%.0f)", r.get(RELATED_ENTITIES), r.get(RELATED_STATE_DOUBLES)),
                    r.get(UPDATES_PER_SEC_PER_CORE), r.get(PER_TASK_CPU_SEC), r.get(ENGINE_ONLY_PER_SEC),
                    r.get(STATE_BYTES_PER_ENTITY)));
            if (r.containsKey(OWN_UPDATES_PER_SEC_PER_CORE)) {
                sb.append(String.format(Locale.ROOT, "%-10s %-9s %11s %9s %7s %17s %,14.0f %,14.0f %14s %,14.0f%n",
                        "", "", "", "", "", "without related", r.get(OWN_UPDATES_PER_SEC_PER_CORE), r.get(OWN_PER_TASK_CPU_SEC), "",
                        r.get(OWN_STATE_BYTES_PER_ENTITY)));
            }
        });
        sb.append(String.format(Locale.ROOT, "targets: >= %,.0f events/s per core, <= %,.0f B of state per entity%n",
                TARGET_UPDATES_PER_SEC_PER_CORE, TARGET_STATE_BYTES_PER_ENTITY));
        sb.append("events/s include the related entities' stages; state B/entity is all state (related entities' included) "
                + "over the primary entities\n");
        return sb.toString();
    }

    /** Writes {@code {"<domain>": {"updates_per_sec_per_core": …, "state_bytes_per_entity": …, …}}}. */
    public static void writeJson(Map<String, ? extends Map<String, ?>> results, Path file) throws IOException {
        BenchJson.write(results, file);
    }

    /** {@code [--events N] [--entities N] [--json OUT]}: prints the table, and writes the JSON when asked. */
    public static void main(String[] args) throws Exception {
        int events = DEFAULT_EVENTS;
        int entities = DEFAULT_ENTITIES;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(require(args[i], value));
                case "--entities" -> entities = Integer.parseInt(require(args[i], value));
                case "--json" -> json = Path.of(require(args[i], value));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; use [--events N] [--entities N] [--json OUT]");
            }
            i++;
        }
        Map<String, Map<String, Double>> results = run(events, entities, Map.of());
        System.out.print(table(results));
        if (json != null) {
            writeJson(results, json);
            System.out.println("wrote " + json);
        }
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** The pre-built events of one run, by index. */
    private static final class StoredEvents implements GeneratorFunction<Long, InputEvent> {
        private static final long serialVersionUID = 1L;
        private final String run;
        private transient InputEvent[] events;

        StoredEvents(String run) {
            this.run = run;
        }

        @Override
        public void open(org.apache.flink.api.connector.source.SourceReaderContext ctx) {
            events = EVENTS_BY_RUN.get(run);
        }

        @Override
        public InputEvent map(Long i) {
            return events[(int) (i % events.length)];
        }
    }

    /** When the warm-up ended and the last event arrived. Written by the sink's one thread. */
    private static final class Probe {
        final long warmup;
        final long total;
        final CountDownLatch done = new CountDownLatch(1);
        volatile long count;
        volatile long startNanos;
        volatile long endNanos;
        volatile long startCpuNanos;
        volatile long endCpuNanos;

        Probe(long warmup, long total) {
            this.warmup = warmup;
            this.total = total;
        }
    }

    /** Counts the vectors, times the run (wall clock and the task thread's CPU) and drops them. */
    private static final class ProbeSink implements Sink<FeaturedEvent> {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final long serialVersionUID = 1L;
        private final String run;

        ProbeSink(String run) {
            this.run = run;
        }

        @Override
        public SinkWriter<FeaturedEvent> createWriter(WriterInitContext context) {
            Probe probe = PROBES.get(run);
            return new SinkWriter<>() {
                private long n;

                @Override
                public void write(FeaturedEvent element, Context ctx) {
                    n++;
                    if ((n & 0xffff) == 0) {
                        probe.count = n;
                    }
                    if (n == probe.warmup) {
                        probe.startNanos = System.nanoTime();
                        probe.startCpuNanos = THREADS.getCurrentThreadCpuTime();
                    } else if (n == probe.total) {
                        probe.endNanos = System.nanoTime();
                        probe.endCpuNanos = THREADS.getCurrentThreadCpuTime();
                        probe.count = n;
                        probe.done.countDown();
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
