package io.kingfisher.scoring.snapshot;

import static io.kingfisher.scoring.snapshot.SnapshotFixture.DOMAIN;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.KEY;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.SPEC;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.WIDTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.snapshot.SwapDecision.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHolderTest {

    private static final float[] ROW = {1, 2, 3, 4};

    @TempDir
    Path dir;

    private SnapshotFixture fixture;
    private SwapPolicy policy;
    private final List<SwapDecision> decisions = new ArrayList<>();
    private ModelHolder holder;

    @BeforeEach
    void setUp() {
        fixture = new SnapshotFixture(dir);
        policy = new SwapPolicy(DOMAIN, SPEC, WIDTH, KEY, 0);
        holder = new ModelHolder(policy, decisions::add);
    }

    @AfterEach
    void tearDown() {
        holder.close();
    }

    /** Loads what the holder hands out, as a scorer's loader thread would. */
    private SwapDecision loadNext() {
        ModelSnapshot next = holder.startNextLoad().orElseThrow();
        assertTrue(holder.isLoading());
        return holder.complete(policy.load(next, fixture.store(), 8));
    }

    private List<Outcome> outcomes() {
        return decisions.stream().map(SwapDecision::outcome).toList();
    }

    @Test
    void startsWithoutAModelAndServesTheFirstAcceptedOne() {
        assertNull(holder.model());
        assertEquals(-1, holder.version());
        assertFalse(holder.usable(0));
        assertEquals(Outcome.CANDIDATE, holder.offer(fixture.valid(1)).outcome());
        assertEquals(1, holder.newestPending().getVersion(), "kept for a checkpoint while queued");
        SwapDecision d = loadNext();
        assertEquals(Outcome.ACCEPTED, d.outcome());
        assertEquals("first model", d.detail());
        assertEquals(1, holder.version());
        assertEquals(1, holder.model().version());
        assertTrue(holder.usable(0));
        assertNull(holder.newestPending());
        assertFalse(holder.isLoading());
        assertEquals(List.of(Outcome.CANDIDATE, Outcome.ACCEPTED), outcomes());
    }

    @Test
    void anEqualVersionIsANoOpAndAnOlderOneIsRefused() {
        ModelSnapshot v5 = fixture.valid(5);
        holder.offer(v5);
        loadNext();
        Model served = holder.model();
        decisions.clear();
        assertEquals(Outcome.SAME_VERSION, holder.offer(ModelSnapshot.newBuilder(v5).build()).outcome());
        assertEquals(Outcome.OLDER_VERSION, holder.offer(fixture.valid(4)).outcome());
        assertEquals(Optional.empty(), holder.startNextLoad(), "nothing to load");
        assertSame(served, holder.model());
        assertEquals(5, holder.version());
        assertEquals(List.of(Outcome.SAME_VERSION, Outcome.OLDER_VERSION), outcomes());
    }

    @Test
    void aRefusedSnapshotLeavesTheServedModelInPlaceAndWorking() {
        holder.offer(fixture.valid(1));
        loadNext();
        Model served = holder.model();
        double before = served.score(ROW);
        assertEquals(Outcome.CANDIDATE, holder.offer(fixture.tamperedPayload(2)).outcome(),
                "the checksum needs the payload");
        assertEquals(Outcome.CHECKSUM_MISMATCH, loadNext().outcome());
        assertEquals(Outcome.SIGNATURE_MISSING, holder.offer(fixture.unsigned(3)).outcome());
        assertEquals(Outcome.CANDIDATE, holder.offer(fixture.wrongShape(4)).outcome());
        assertEquals(Outcome.INPUT_SIZE_MISMATCH, loadNext().outcome());
        assertSame(served, holder.model());
        assertEquals(1, holder.version());
        assertEquals(before, served.score(ROW), "not closed, same answers");
        assertEquals(Outcome.CANDIDATE, holder.offer(fixture.valid(5)).outcome(), "a later valid version still swaps");
        assertEquals(Outcome.ACCEPTED, loadNext().outcome());
    }

    @Test
    void aNewerCandidateSupersedesAQueuedOneButNotTheOneLoadingAndVersionsOnlyIncrease() {
        holder.offer(fixture.valid(1));
        loadNext();
        Model v1 = holder.model();
        decisions.clear();

        holder.offer(fixture.valid(2));
        ModelSnapshot loading = holder.startNextLoad().orElseThrow();
        assertEquals(Optional.empty(), holder.startNextLoad(), "one load at a time");
        ModelSnapshot v3 = fixture.valid(3);
        holder.offer(v3);
        holder.offer(fixture.valid(4)); // v3 has not started loading: superseded
        assertEquals(4, holder.newestPending().getVersion());
        assertEquals(Outcome.OLDER_VERSION, holder.offer(v3).outcome(), "older than the pending v4");

        assertEquals(Outcome.ACCEPTED, holder.complete(policy.load(loading, fixture.store(), 8)).outcome());
        assertEquals(2, holder.version());
        assertThrows(IllegalStateException.class, () -> v1.score(ROW), "the replaced model is closed");
        assertEquals(Outcome.ACCEPTED, loadNext().outcome());
        assertEquals(4, holder.version());

        assertEquals(List.of(Outcome.CANDIDATE, Outcome.CANDIDATE, Outcome.SUPERSEDED, Outcome.CANDIDATE,
                Outcome.OLDER_VERSION, Outcome.ACCEPTED, Outcome.ACCEPTED), outcomes());
        SwapDecision superseded = decisions.get(2);
        assertEquals(3, superseded.version());
        List<Long> served = decisions.stream().filter(SwapDecision::accepted).map(SwapDecision::version).toList();
        assertEquals(List.of(2L, 4L), served);
    }

    @Test
    void completingAnythingButTheRunningLoadIsABug() {
        ModelSnapshot v1 = fixture.valid(1);
        holder.offer(v1);
        var stray = policy.load(fixture.valid(2), fixture.store(), 8);
        assertThrows(IllegalStateException.class, () -> holder.complete(stray));
        assertThrows(IllegalStateException.class, () -> stray.model().score(ROW), "the stray model was discarded");
    }

    @Test
    void aModelOlderThanTheMaximumAgeIsNotUsableUntilAFresherOneIsSwappedIn() {
        ModelHolder aged = new ModelHolder(new SwapPolicy(DOMAIN, SPEC, WIDTH, KEY, 1_000), decisions::add);
        try {
            aged.offer(fixture.valid(1, 10_000L));
            ModelSnapshot s = aged.startNextLoad().orElseThrow();
            aged.complete(policy.load(s, fixture.store(), 8));
            assertTrue(aged.usable(11_000L));
            assertFalse(aged.usable(11_001L));
            aged.offer(fixture.valid(2, 10_500L));
            s = aged.startNextLoad().orElseThrow();
            aged.complete(policy.load(s, fixture.store(), 8));
            assertTrue(aged.usable(11_001L));
        } finally {
            aged.close();
        }
    }
}
