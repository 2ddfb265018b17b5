package io.kingfisher.scoring.flink;

import static io.kingfisher.scoring.snapshot.SnapshotFixture.DOMAIN;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.KEY;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.SPEC;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.WIDTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ScoringBackend;
import io.kingfisher.scoring.snapshot.SnapshotFixture;
import io.kingfisher.scoring.snapshot.Snapshots;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The scoring operator in a harness: buffering, swaps at batch boundaries, refusals, restore, model age. */
@Timeout(120)
class ScoringOperatorTest {

    private static final long T0 = 1_000_000L;

    @TempDir
    Path dir;

    private SnapshotFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new SnapshotFixture(dir);
    }

    private ScoringOperator.Builder scorer() {
        return ScoringOperator.builder(DOMAIN, SPEC, WIDTH, fixture.storeRoot()).hmacKey(KEY).batching(4, 100);
    }

    private static ScoringHarness open(ScoringOperator op, OperatorSubtaskState restored) throws Exception {
        ScoringHarness h = ScoringHarness.of(op);
        h.setProcessingTime(T0);
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        return h;
    }

    private static FeaturedEvent event(int i, long ingestTime) {
        FeaturedEvent e = new FeaturedEvent();
        e.eventId = "e" + i;
        e.entity = "card-" + (i % 3);
        e.eventTime = ingestTime - 1;
        e.ingestTime = ingestTime;
        e.features = new float[] {i % 7, (i * 3) % 5, 0.5f * i, 1};
        return e;
    }

    private static List<String> ids(List<Score> scores) {
        return scores.stream().map(Score::getEventId).toList();
    }

    private static List<Long> versions(List<Score> scores) {
        return scores.stream().map(Score::getModelVersion).toList();
    }

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "e" + i).toList();
    }

    private static OperatorSubtaskState checkpoint(ScoringHarness h, long id) throws Exception {
        h.prepareSnapshotPreBarrier(id);
        return h.snapshot(id, h.getProcessingTime());
    }

    @Test
    void aTaskCancelledBeforeTheScorerOpenedClosesItQuietly() throws Exception {
        // Another operator of the job failing at start cancels this task before open(); an exception from close()
        // then is fatal to the whole TaskManager, not just a restart.
        ScoringHarness h = ScoringHarness.of(scorer().initialSnapshot(fixture.valid(1)).build());
        h.setup();
        h.initializeState((org.apache.flink.runtime.checkpoint.OperatorSubtaskState) null);
        h.close();
    }

    @Test
    void withoutAModelEventsAreHeldThenScoredInOrderByTheFirstAcceptedOne() throws Exception {
        try (ScoringHarness h = open(scorer().build(), null)) {
            for (int i = 0; i < 6; i++) {
                h.event(event(i, T0 - 20));
            }
            assertTrue(h.scores().isEmpty());
            assertEquals(6, h.gauge("heldEvents"));
            assertEquals(-1L, h.gauge("modelVersion"));
            assertEquals(-1L, h.gauge("modelAgeMs"));

            h.snapshot(fixture.valid(3));
            h.awaitDecisions(1, 0);
            assertEquals(ids(0, 6), ids(h.scores()));
            assertEquals(List.of(3L, 3L, 3L, 3L, 3L, 3L), versions(h.scores()));
            assertEquals(0, h.gauge("heldEvents"));
            assertEquals(3L, h.gauge("modelVersion"));

            h.event(event(6, T0 - 5));
            assertEquals(6, h.scores().size(), "a new event waits for its batch");
            h.setProcessingTime(T0 + 100);
            assertEquals(ids(0, 7), ids(h.scores()));
            assertEquals(7, h.count("scores"));
            assertEquals(3, h.histogram("batchSize").getCount(), "held events drained in batches of 4: 4, 2; then 1");
            assertEquals(7, h.histogram("eventToScoreLatencyMs").getCount());
            assertEquals(105, h.histogram("eventToScoreLatencyMs").getStatistics().getMax(), 0.0,
                    "score time minus ingest time");
        }
    }

    @Test
    void aSwapWaitsForTheOpenBatchAndScoringGoesOnWhileTheNewModelLoads() throws Exception {
        ModelSnapshot v2 = fixture.valid(2);
        try (ScoringHarness h = open(scorer().initialSnapshot(fixture.valid(1)).build(), null)) {
            h.event(event(0, T0));
            h.event(event(1, T0));
            h.snapshot(v2); // loads on the loader thread; the swap comes back as mail
            for (int i = 2; i < 6; i++) {
                h.event(event(i, T0));
            }
            assertEquals(List.of(1L, 1L, 1L, 1L), versions(h.scores()), "scored by v1 while v2 loads");

            h.awaitDecisions(2, 0);
            assertEquals(List.of(1L, 1L, 1L, 1L, 1L, 1L), versions(h.scores()),
                    "the open batch (e4, e5) was scored by v1 before the swap");
            for (int i = 6; i < 10; i++) {
                h.event(event(i, T0));
            }
            List<Score> scores = h.scores();
            assertEquals(ids(0, 10), ids(scores));
            assertEquals(List.of(1L, 1L, 1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L), versions(scores));
            assertEquals(2L, h.gauge("modelVersion"));
            assertEquals(2, h.count("snapshotsAccepted"), "the initial snapshot and v2");

            try (Model reference = Snapshots.load(v2, fixture.store(), KEY, SPEC)) {
                for (int i = 6; i < 10; i++) {
                    assertEquals(reference.score(event(i, T0).features), scores.get(i).getScore(), 1e-6,
                            "scored by v2's network");
                }
            }
        }
    }

    @Test
    void cudaOrCpuWithoutAGpuScoresLikeNd4jAndCudaFailsAtOpenNamingTheSetting() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(io.kingfisher.scoring.cuda.CudaAvailability.probe().usable(),
                "this machine has a usable GPU");
        // One snapshot for all three: an encoded payload carries zip timestamps, so a second encoding can differ
        // and the write-once store would refuse it.
        ModelSnapshot v1 = fixture.valid(1);
        List<List<Double>> runs = new java.util.ArrayList<>();
        for (ScoringBackend backend : List.of(ScoringBackend.ND4J, ScoringBackend.CUDA_OR_CPU)) {
            try (ScoringHarness h = open(scorer().backend(backend).initialSnapshot(v1).build(), null)) {
                for (int i = 0; i < 8; i++) {
                    h.event(event(i, T0));
                }
                assertEquals(ids(0, 8), ids(h.scores()));
                runs.add(h.scores().stream().map(Score::getScore).toList());
            }
        }
        assertEquals(runs.get(0), runs.get(1), "the fallback is ND4J: the same scores, bit for bit");

        ScoringHarness h = ScoringHarness.of(scorer().backend(ScoringBackend.CUDA).initialSnapshot(v1).build());
        h.setProcessingTime(T0);
        Exception e = assertThrows(Exception.class, h::open);
        Throwable root = e;
        while (!(root instanceof io.kingfisher.scoring.cuda.BackendUnavailableException) && root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().startsWith("scoring.backend: cuda needs a usable GPU"), root.getMessage());
        h.close();
    }

    @Test
    void refusedSnapshotsAreCountedAndChangeNothing() throws Exception {
        try (ScoringHarness h = open(scorer().batching(1, 0).initialSnapshot(fixture.valid(1)).build(), null)) {
            h.snapshot(fixture.tamperedPayload(2));  // refused once its payload is read
            h.snapshot(fixture.unsigned(3));         // refused at once
            h.snapshot(fixture.wrongSpec(4));        // refused at once
            h.awaitDecisions(1, 3);
            h.snapshot(fixture.wrongShape(5));       // refused once decoded
            h.awaitDecisions(1, 4);
            h.snapshot(fixture.valid(0));            // older than v1
            h.snapshot(fixture.otherDomain(6));      // not this scorer's domain
            assertEquals(6, h.count("snapshotsRefused"));
            assertEquals(1, h.count("snapshotsAccepted"));

            for (int i = 0; i < 3; i++) {
                h.event(event(i, T0));
            }
            assertEquals(List.of(1L, 1L, 1L), versions(h.scores()), "batch size 1: each event scored on arrival");
            assertEquals(1L, h.gauge("modelVersion"));

            h.snapshot(fixture.valid(7));
            h.awaitDecisions(2, 6);
            h.event(event(3, T0));
            assertEquals(List.of(1L, 1L, 1L, 7L), versions(h.scores()));
        }
    }

    @Test
    void afterARestoreTheSwappedModelScoresNotTheInitialOne() throws Exception {
        ModelSnapshot v1 = fixture.valid(1);
        OperatorSubtaskState state;
        try (ScoringHarness h = open(scorer().initialSnapshot(v1).build(), null)) {
            h.snapshot(fixture.valid(2));
            h.awaitDecisions(2, 0);
            h.event(event(0, T0));
            state = checkpoint(h, 1);
            assertEquals(List.of(2L), versions(h.scores()), "the open batch was flushed before the barrier");
        }
        try (ScoringHarness h = open(scorer().initialSnapshot(v1).build(), state)) {
            assertEquals(2L, h.gauge("modelVersion"), "serving the checkpointed v2 before any event or mail");
            h.event(event(1, T0));
            h.setProcessingTime(T0 + 100);
            assertEquals(List.of(2L), versions(h.scores()));
        }
    }

    @Test
    void heldEventsSurviveARestoreAndAreScoredInOrderOnceAModelArrives() throws Exception {
        OperatorSubtaskState state;
        ScoringHarness first = open(scorer().build(), null);
        for (int i = 0; i < 3; i++) {
            first.event(event(i, T0));
        }
        state = checkpoint(first, 1);
        IllegalStateException refused = assertThrows(IllegalStateException.class, first::close,
                "finishing would drop the held events");
        assertTrue(refused.getMessage().contains("3 fraud event(s) are waiting"), refused.getMessage());
        first.getOperator().close();

        try (ScoringHarness h = open(scorer().build(), state)) {
            assertEquals(3, h.gauge("heldEvents"));
            h.event(event(3, T0));
            assertTrue(h.scores().isEmpty());
            h.snapshot(fixture.valid(1));
            h.awaitDecisions(1, 0);
            assertEquals(ids(0, 4), ids(h.scores()));
            assertEquals(0, h.gauge("heldEvents"));
        }
    }

    @Test
    void aSnapshotStillLoadingAtACheckpointIsLoadedAgainAfterTheRestore() throws Exception {
        ModelSnapshot v1 = fixture.valid(1);
        OperatorSubtaskState state;
        try (ScoringHarness h = open(scorer().initialSnapshot(v1).build(), null)) {
            h.snapshot(fixture.valid(2)); // its swap never runs in this harness: the mail is not taken
            state = checkpoint(h, 1);
        }
        try (ScoringHarness h = open(scorer().initialSnapshot(v1).build(), state)) {
            assertEquals(1L, h.gauge("modelVersion"));
            h.awaitDecisions(2, 0);
            assertEquals(2L, h.gauge("modelVersion"));
            h.event(event(0, T0));
            h.setProcessingTime(T0 + 100);
            assertEquals(List.of(2L), versions(h.scores()));
        }
    }

    @Test
    void aModelOlderThanTheMaximumAgeHoldsEventsUntilAFresherOneIsAccepted() throws Exception {
        ModelSnapshot v1 = fixture.valid(1, T0 - 500);
        try (ScoringHarness h = open(scorer().initialSnapshot(v1).maxModelAgeMs(1_000).build(), null)) {
            h.event(event(0, T0));
            h.setProcessingTime(T0 + 100);
            assertEquals(List.of(1L), versions(h.scores()), "600 ms old: fresh");
            assertEquals(0, h.gauge("modelStale"));

            h.setProcessingTime(T0 + 450);
            h.event(event(1, T0 + 450)); // its batch times out at +550, when v1 is 1050 ms old
            h.setProcessingTime(T0 + 550);
            assertEquals(1, h.scores().size(), "not scored by a model over the maximum age");
            assertEquals(1, h.gauge("heldEvents"));
            assertEquals(1, h.gauge("modelStale"));
            h.event(event(2, T0 + 550));
            assertEquals(2, h.gauge("heldEvents"));

            h.snapshot(fixture.valid(2, T0 + 500));
            h.awaitDecisions(2, 0);
            assertEquals(ids(0, 3), ids(h.scores()));
            assertEquals(List.of(1L, 2L, 2L), versions(h.scores()));
            assertEquals(0, h.gauge("modelStale"));
            assertEquals(0, h.gauge("heldEvents"));
        }
    }
}
