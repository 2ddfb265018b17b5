package io.kingfisher.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU time this JVM spent between two moments, by part of the local stack: each Flink task of the job (named by its
 * first operator), the job's Kafka producers, the Flink runtime, the broker, the schema registry, the demo's feed and
 * consumer, and the JVM's own threads (GC, JIT). On a shared machine, events per second move with what else runs;
 * CPU time per event moves much less, so a change's cost shows side by side in it where the rate cannot show it.
 *
 * <p>Java threads are read from {@link ThreadMXBean} (by full name); the JVM's native threads (GC, JIT, RocksDB's
 * background threads) from {@code /proc/self/task} where there is one. What neither accounts for is {@link #OTHER}:
 * native threads of libraries (BLAS), threads that ended between the two moments, and rounding of {@code /proc}'s
 * clock ticks.
 */
final class ThreadCpu {
    /** Prefix of the parts that belong to the scoring (and learning) jobs. */
    static final String JOB = "job";
    static final String OTHER = "other";

    /** CPU nanoseconds at one moment: of each live Java thread, of the JVM's native threads by part, of the process. */
    record Snapshot(long wallNanos, long processNanos, Map<Long, Named> javaThreads, Map<String, Long> nativeByPart) {
        Snapshot {
            javaThreads = Map.copyOf(javaThreads);
            nativeByPart = Map.copyOf(nativeByPart);
        }
    }

    /** A Java thread's name and CPU nanoseconds so far. */
    record Named(String name, long cpuNanos) {
    }

    /** Prefixes of the threads a Flink task starts for itself (before the task's own name). */
    private static final List<String> TASK_HELPERS = List.of("Source Data Fetcher for ", "OutputFlusher for ",
            "System Time Trigger for ", "Time Trigger for ");
    private static final Pattern SUBTASK = Pattern.compile("^(.*) \\(\\d+/\\d+\\)#\\d+$");
    private static final List<String> BROKER = List.of("data-plane-kafka", "kafka-", "TxnMarkerSenderThread", "quorum-",
            "controller-", "group-coordinator", "share-coordinator", "executor-", "broker-", "raft-", "ExpirationReaper",
            "LogDirFailureHandler", "transaction-log-manager", "ReplicaFetcher", "metadata-", "node-");
    private static final List<String> FLINK = List.of("flink-", "Flink-", "jobmanager-", "Checkpoint Timer",
            "SourceCoordinator-", "mini-cluster", "AsyncOperations-thread", "Timer-", "pekko",
            "BlobServer", "FileCache", "IOManager", "Legacy Source Thread");
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    private ThreadCpu() {
    }

    /** @return the CPU time of this JVM's threads now */
    static Snapshot take() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Named> java = new HashMap<>();
        if (mx.isThreadCpuTimeSupported()) {
            if (!mx.isThreadCpuTimeEnabled()) {
                mx.setThreadCpuTimeEnabled(true);
            }
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                @SuppressWarnings("deprecation") long id = t.getId(); // threadId() is Java 19+
                long ns = mx.getThreadCpuTime(id);
                if (ns >= 0) {
                    java.put(id, new Named(t.getName(), ns));
                }
            }
        }
        long process = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        return new Snapshot(System.nanoTime(), process, java, nativeThreads(Path.of("/proc/self/task")));
    }

    /**
     * CPU seconds of each part between two snapshots, largest first. A Java thread that started in between counts
     * whole; one that ended in between is in {@link #OTHER} (the process's time less all that is named).
     */
    static Map<String, Double> between(Snapshot from, Snapshot to) {
        Map<String, Long> nanos = new HashMap<>();
        long named = 0;
        for (Map.Entry<Long, Named> e : to.javaThreads().entrySet()) {
            Named before = from.javaThreads().get(e.getKey());
            long d = e.getValue().cpuNanos() - (before == null ? 0 : before.cpuNanos());
            if (d > 0) {
                nanos.merge(part(e.getValue().name()), d, Long::sum);
                named += d;
            }
        }
        for (Map.Entry<String, Long> e : to.nativeByPart().entrySet()) {
            long d = e.getValue() - from.nativeByPart().getOrDefault(e.getKey(), 0L);
            if (d > 0) {
                nanos.merge(e.getKey(), d, Long::sum);
                named += d;
            }
        }
        if (from.processNanos() >= 0 && to.processNanos() >= 0) {
            long rest = to.processNanos() - from.processNanos() - named;
            if (rest > 0) {
                nanos.merge(OTHER, rest, Long::sum);
            }
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        nanos.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> seconds.put(e.getKey(), e.getValue() / 1e9));
        return seconds;
    }

    /**
     * The part a Java thread belongs to: {@code job: <first operator>} for a Flink subtask (with the threads it starts
     * for itself: a source's fetcher, the output flusher, the timer threads), {@code job: kafka producers} for the
     * I/O threads of the job's transactional producers, and so on.
     */
    static String part(String thread) {
        Objects.requireNonNull(thread, "thread");
        String name = thread;
        for (String helper : TASK_HELPERS) { // a task's own helper threads count with the task
            if (name.startsWith(helper)) {
                name = name.substring(helper.length());
                break;
            }
        }
        Matcher m = SUBTASK.matcher(name);
        if (m.matches()) {
            String chain = m.group(1);
            int arrow = chain.indexOf(" -> ");
            String first = arrow < 0 ? chain : chain.substring(0, arrow);
            if (first.startsWith("Source: ")) {
                first = "source " + first.substring("Source: ".length());
            }
            return JOB + ": " + first;
        }
        if (thread.startsWith("kafka-producer-network-thread | ")) {
            String client = thread.substring("kafka-producer-network-thread | ".length());
            if (client.startsWith("producer-kingfisher-")) {
                return JOB + ": kafka producers";
            }
            if (client.startsWith("kingfisher-schema-registry")) {
                return "schema registry";
            }
            return "demo: producer I/O";
        }
        if (thread.startsWith("kingfisher-model-loader")) {
            return JOB + ": model loader";
        }
        if (thread.equals("main")) {
            return "demo: feed (main)";
        }
        if (thread.startsWith("demo-")) {
            return "demo: " + thread.substring("demo-".length());
        }
        if (thread.startsWith("schema-registry")) {
            return "schema registry";
        }
        for (String p : FLINK) {
            if (thread.startsWith(p)) {
                return "flink runtime";
            }
        }
        for (String p : BROKER) {
            if (thread.startsWith(p)) {
                return "broker";
            }
        }
        return OTHER;
    }

    /** The part of one of the JVM's native threads, by its {@code comm}, or null for a Java thread or an unknown one. */
    static String nativePart(String comm) {
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "jvm: GC";
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            return "jvm: JIT";
        }
        if (comm.startsWith("rocksdb:")) {
            return JOB + ": RocksDB background";
        }
        return null;
    }

    /**
     * @return the user plus system time of a {@code /proc/<pid>/task/<tid>/stat} line, in clock ticks, or -1 if it
     *     does not parse
     */
    static long ticks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] f = stat.substring(close + 1).trim().split(" +");
        if (f.length < 13) {
            return -1;
        }
        try {
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15 of stat
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Map<String, Long> nativeThreads(Path tasks) {
        Map<String, Long> byPart = new HashMap<>();
        if (!Files.isDirectory(tasks)) {
            return byPart;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                try {
                    String part = nativePart(Files.readString(task.resolve("comm")).strip());
                    if (part != null) {
                        long t = ticks(Files.readString(task.resolve("stat")));
                        if (t >= 0) {
                            byPart.merge(part, t * TICK_NANOS, Long::sum);
                        }
                    }
                } catch (IOException e) {
                    // the thread ended while we looked: its time is in OTHER
                }
            }
        } catch (IOException e) {
            return byPart;
        }
        return byPart;
    }
}
