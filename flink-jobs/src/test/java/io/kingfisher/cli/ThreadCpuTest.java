package io.kingfisher.cli;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadCpuTest {
    @Test
    void threadsAreNamedByTheirPartOfTheStack() {
        assertEquals("job: score", ThreadCpu.part("score -> scores-sink: Writer -> scores-sink: Committer (1/1)#0"));
        assertEquals("job: source fraud.events", ThreadCpu.part("Source: fraud.events -> decode+validate (1/2)#3"));
        assertEquals("job: source fraud.events", ThreadCpu.part("Source Data Fetcher for Source: fraud.events -> decode+validate (1/1)#0"));
        assertEquals("job: features", ThreadCpu.part("OutputFlusher for features -> (late-to-dlq) (1/1)#0"));
        assertEquals("job: score", ThreadCpu.part("Time Trigger for score -> scores-sink: Writer (1/1)#0"));
        assertEquals("job: score", ThreadCpu.part("System Time Trigger for score -> scores-sink: Writer (1/1)#0"));
        assertEquals("job: feedback-join", ThreadCpu.part(
                "feedback-join -> (examples-sink: Writer -> examples-sink: Committer, dropped-labels, to-example) (1/1)#0"));
        assertEquals("job: kafka producers", ThreadCpu.part("kafka-producer-network-thread | producer-kingfisher-score-fraud-scores-0-1"));
        assertEquals("demo: producer I/O", ThreadCpu.part("kafka-producer-network-thread | producer-2"));
        assertEquals("schema registry", ThreadCpu.part("kafka-producer-network-thread | kingfisher-schema-registry-writer"));
        assertEquals("demo: feed (main)", ThreadCpu.part("main"));
        assertEquals("demo: consumer", ThreadCpu.part("demo-consumer"));
        assertEquals("job: model loader", ThreadCpu.part("kingfisher-model-loader-clicks-0"));
        for (String broker : List.of("data-plane-kafka-request-handler-6", "data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-1",
                "kafka-1-raft-io-thread", "TxnMarkerSenderThread-1", "quorum-controller-1-event-handler")) {
            assertEquals("broker", ThreadCpu.part(broker), broker);
        }
        for (String flink : List.of("flink-pekko.actor.default-dispatcher-5", "jobmanager-io-thread-1", "Checkpoint Timer",
                "AsyncOperations-thread-1", "Flink-RocksDBStateDataTransferHelper-thread-4")) {
            assertEquals("flink runtime", ThreadCpu.part(flink), flink);
        }
        assertEquals(ThreadCpu.OTHER, ThreadCpu.part("Reference Handler"));
        assertEquals("jvm: GC", ThreadCpu.nativePart("G1 Conc#0"));
        assertEquals("jvm: JIT", ThreadCpu.nativePart("C2 CompilerThre"));
        assertEquals("job: RocksDB background", ThreadCpu.nativePart("rocksdb:low"));
        assertNull(ThreadCpu.nativePart("demo-consumer"));
    }

    @Test
    void procStatTicksAreUserPlusSystemEvenWithParenthesesInTheName() {
        String stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194368 100 0 0 0 250 31 0 0 20 0 1 0 12345 0 0";
        assertEquals(281, ThreadCpu.ticks(stat));
        assertEquals(-1, ThreadCpu.ticks("garbage"));
    }

    @Test
    void betweenTwoSnapshotsEachPartGetsItsThreadsDeltasAndTheRestIsOther() {
        ThreadCpu.Snapshot from = new ThreadCpu.Snapshot(0, 1_000_000_000L,
                Map.of(1L, new ThreadCpu.Named("score -> scores-sink: Writer (1/1)#0", 100_000_000L),
                        2L, new ThreadCpu.Named("demo-consumer", 50_000_000L),
                        3L, new ThreadCpu.Named("ends-before-the-second-snapshot", 10_000_000L)),
                Map.of("jvm: GC", 20_000_000L));
        ThreadCpu.Snapshot to = new ThreadCpu.Snapshot(1_000_000_000L, 2_350_000_000L,
                Map.of(1L, new ThreadCpu.Named("score -> scores-sink: Writer (1/1)#0", 700_000_000L),
                        2L, new ThreadCpu.Named("demo-consumer", 150_000_000L),
                        4L, new ThreadCpu.Named("card-features (1/1)#0", 300_000_000L)),
                Map.of("jvm: GC", 220_000_000L));
        Map<String, Double> s = ThreadCpu.between(from, to);
        assertEquals(List.of("job: score", "job: card-features", "jvm: GC", "other", "demo: consumer"), List.copyOf(s.keySet()),
                "largest first");
        assertEquals(0.6, s.get("job: score"), 1e-9);
        assertEquals(0.3, s.get("job: card-features"), 1e-9, "a thread started in between counts whole");
        assertEquals(0.2, s.get("jvm: GC"), 1e-9);
        assertEquals(1.35 - 0.6 - 0.3 - 0.1 - 0.2, s.get("other"), 1e-9, "what the process spent beyond the named threads");

        DemoSummary.Cpu cpu = DemoSummary.Cpu.of(s, 1.0, 100_000);
        assertEquals(9.0, cpu.jobUsPerEvent(), 1e-9, "score and card-features: 0.9 s over 100,000 events");
        assertEquals(13.5, cpu.totalUsPerEvent(), 1e-9);
        assertEquals(1.35, cpu.coresBusy(), 1e-9);
        assertTrue(cpu.toText().startsWith("job 9.0 µs/event, all 13.5 (1.35 cores busy)"), cpu.toText());
        assertNull(DemoSummary.Cpu.of(s, 1.0, 0), "nothing to divide by");
    }

    @Test
    void aBusyThreadsCpuTimeIsCountedInItsPart() throws Exception {
        ThreadCpu.Snapshot from = ThreadCpu.take();
        java.util.concurrent.CountDownLatch spun = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
        Thread busy = new Thread(() -> {
            var mx = ManagementFactory.getThreadMXBean();
            long until = mx.getCurrentThreadCpuTime() + 100_000_000L;
            long x = 0;
            while (mx.getCurrentThreadCpuTime() < until) {
                x += System.nanoTime() % 7;
            }
            spun.countDown();
            try {
                measured.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (x == 42) {
                System.out.print("");
            }
        }, "demo-busy");
        busy.start();
        spun.await();
        ThreadCpu.Snapshot to = ThreadCpu.take();
        measured.countDown();
        busy.join();
        Map<String, Double> s = ThreadCpu.between(from, to);
        assertTrue(s.getOrDefault("demo: busy", 0.0) >= 0.1, s.toString());
        assertTrue(to.wallNanos() > from.wallNanos());
    }
}
