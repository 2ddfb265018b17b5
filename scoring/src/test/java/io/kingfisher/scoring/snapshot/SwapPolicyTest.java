package io.kingfisher.scoring.snapshot;

import static io.kingfisher.scoring.snapshot.SnapshotFixture.DOMAIN;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.KEY;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.SPEC;
import static io.kingfisher.scoring.snapshot.SnapshotFixture.WIDTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.snapshot.SwapDecision.Outcome;
import io.kingfisher.scoring.snapshot.SwapDecision.Verdict;
import io.kingfisher.scoring.snapshot.SwapPolicy.LoadResult;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwapPolicyTest {

    @TempDir
    Path dir;

    private SnapshotFixture fixture;
    private SwapPolicy policy;

    @BeforeEach
    void setUp() {
        fixture = new SnapshotFixture(dir);
        policy = new SwapPolicy(DOMAIN, SPEC, WIDTH, KEY, 0);
    }

    private Outcome screen(ModelSnapshot s) {
        return policy.screen(s, -1, -1).outcome();
    }

    private LoadResult load(ModelSnapshot s) {
        assertEquals(Outcome.CANDIDATE, screen(s), "passes the checks that need no payload");
        return policy.load(s, fixture.store(), 8);
    }

    @Test
    void aValidSignedSnapshotIsACandidateAndLoadsAsAModelOfItsVersion() {
        LoadResult r = load(fixture.valid(3));
        assertTrue(r.loaded());
        assertEquals(Outcome.CANDIDATE, r.outcome());
        assertEquals(3, r.model().version());
        assertEquals(WIDTH, r.model().inputSize());
        double score = r.model().score(new float[] {1, 2, 3, 4});
        assertTrue(score >= 0 && score <= 1, "a probability: " + score);
        r.discard();
    }

    @Test
    void theBackendsFactoryMakesTheModelOnTheLoadingThreadAndItsFailureIsARefusal() {
        ModelSnapshot v3 = fixture.valid(3);
        java.util.List<String> calls = new java.util.ArrayList<>();
        LoadResult r = policy.load(v3, fixture.store(), 8, (net, version, capacity) -> {
            calls.add(Thread.currentThread().getName() + " v" + version + " capacity " + capacity);
            return new io.kingfisher.scoring.reference.ReferenceModel(net, version);
        });
        assertTrue(r.loaded());
        assertTrue(r.model() instanceof io.kingfisher.scoring.reference.ReferenceModel);
        assertEquals(java.util.List.of(Thread.currentThread().getName() + " v3 capacity 8"), calls,
                "made once, by the verified network, on the thread that loads (the model-loader thread in a job)");
        r.discard();

        LoadResult failed = policy.load(v3, fixture.store(), 8, (net, version, capacity) -> {
            net.close();
            throw new IllegalStateException("cudaMalloc(1048576 bytes) failed: out of memory");
        });
        assertFalse(failed.loaded());
        assertEquals(Outcome.UNDECODABLE, failed.outcome());
        assertTrue(failed.detail().contains("out of memory"), failed.detail());
    }

    @Test
    void withAKeyConfiguredAnUnsignedSnapshotIsRefused() {
        ModelSnapshot unsigned = fixture.unsigned(3);
        SwapDecision d = policy.screen(unsigned, -1, -1);
        assertEquals(Outcome.SIGNATURE_MISSING, d.outcome());
        assertEquals(Verdict.REFUSED, d.verdict());
        assertTrue(d.refused());
        assertEquals(Outcome.CANDIDATE, new SwapPolicy(DOMAIN, SPEC, WIDTH, null, 0).screen(unsigned, -1, -1).outcome(),
                "without a key, signatures are not checked");
    }

    @Test
    void aSignatureUnderAnotherKeyOrOverChangedMetadataIsRefused() {
        assertEquals(Outcome.SIGNATURE_INVALID, screen(fixture.signedWithAnotherKey(3)));
        ModelSnapshot forged = fixture.valid(4);
        forged.setVersion(40L); // a stranger bumps the version of a signed snapshot
        assertEquals(Outcome.SIGNATURE_INVALID, screen(forged));
    }

    @Test
    void aSnapshotForOtherFeaturesOrAnotherDomainOrFormatIsRefused() {
        SwapDecision spec = policy.screen(fixture.wrongSpec(3), -1, -1);
        assertEquals(Outcome.FEATURE_SPEC_MISMATCH, spec.outcome());
        assertTrue(spec.detail().contains("spec-other") && spec.detail().contains(SPEC), spec.detail());
        assertEquals(Outcome.WRONG_DOMAIN, screen(fixture.otherDomain(4)));
        assertEquals(Outcome.UNSUPPORTED_FORMAT, screen(fixture.unsupportedFormat(5)));
    }

    @Test
    void aTamperedPayloadIsRefusedWhenLoaded() {
        ModelSnapshot tampered = fixture.tamperedPayload(3);
        LoadResult r = load(tampered);
        assertFalse(r.loaded());
        assertNull(r.model());
        assertEquals(Outcome.CHECKSUM_MISMATCH, r.outcome());
        assertTrue(r.detail().contains(tampered.getSha256()), r.detail());
    }

    @Test
    void aNetworkOfAnotherWidthIsRefusedWhenLoaded() {
        LoadResult r = load(fixture.wrongShape(3));
        assertEquals(Outcome.INPUT_SIZE_MISMATCH, r.outcome());
        assertTrue(r.detail().contains((WIDTH + 1) + " inputs") && r.detail().contains(WIDTH + " features"), r.detail());
    }

    @Test
    void aPayloadThatIsNoModelOrNotItsArchitectureIsRefusedWhenLoaded() {
        assertEquals(Outcome.UNDECODABLE, load(fixture.undecodable(3)).outcome());
        assertEquals(Outcome.ARCHITECTURE_MISMATCH, load(fixture.wrongArchitecture(4)).outcome());
    }

    @Test
    void aMissingPayloadIsRefusedAsUnreadableWithTheIoError() {
        LoadResult r = load(fixture.missingPayload(3));
        assertEquals(Outcome.UNREADABLE, r.outcome());
        assertNotNull(r.readFailure());
    }

    @Test
    void versionsNeverGoBackwardsAndAnEqualVersionIsANoOp() {
        ModelSnapshot v5 = fixture.valid(5);
        SwapDecision same = policy.screen(v5, 5, -1);
        assertEquals(Outcome.SAME_VERSION, same.outcome());
        assertEquals(Verdict.IGNORED, same.verdict());
        assertFalse(same.refused());
        SwapDecision older = policy.screen(v5, 6, -1);
        assertEquals(Outcome.OLDER_VERSION, older.outcome());
        assertTrue(older.refused());
        assertEquals(Outcome.CANDIDATE, policy.screen(v5, 4, -1).outcome());
        assertEquals(Outcome.SAME_VERSION, policy.screen(v5, 4, 5).outcome(), "the same version is already pending");
        assertEquals(Outcome.OLDER_VERSION, policy.screen(v5, 4, 7).outcome(), "older than the pending one");
        assertEquals(Outcome.CANDIDATE, policy.screen(v5, 4, 3).outcome());
    }

    @Test
    void theSignatureIsCheckedBeforeTheVersionSoAForgeryIsAlwaysRefused() {
        assertEquals(Outcome.SIGNATURE_MISSING, policy.screen(fixture.unsigned(5), 5, -1).outcome());
    }

    @Test
    void aModelIsFreshUpToTheMaximumAge() {
        ModelSnapshot s = fixture.valid(3, 10_000L);
        SwapPolicy aged = new SwapPolicy(DOMAIN, SPEC, WIDTH, KEY, 1_000);
        assertTrue(aged.fresh(s, 11_000L));
        assertFalse(aged.fresh(s, 11_001L));
        assertTrue(aged.fresh(s, 9_000L), "created 'in the future' by a skewed clock counts as fresh");
        assertTrue(policy.fresh(s, Long.MAX_VALUE), "0 = no limit");
        assertEquals(1_001L, SwapPolicy.ageMs(s, 11_001L));
    }

    @Test
    void aShortKeyOrNegativeAgeIsRejectedWhenThePolicyIsMade() {
        assertThrows(IllegalArgumentException.class, () -> new SwapPolicy(DOMAIN, SPEC, WIDTH, new byte[8], 0));
        assertThrows(IllegalArgumentException.class, () -> new SwapPolicy(DOMAIN, SPEC, WIDTH, KEY, -1));
        assertThrows(IllegalArgumentException.class, () -> new SwapPolicy(DOMAIN, SPEC, 0, KEY, 0));
    }

    @Test
    void everyVerificationFailureMapsToARefusal() {
        for (Verification.Outcome o : Verification.Outcome.values()) {
            if (o == Verification.Outcome.OK) {
                assertThrows(IllegalArgumentException.class, () -> Outcome.refusedBy(o));
            } else {
                assertEquals(o.name(), Outcome.refusedBy(o).name());
                assertEquals(Verdict.REFUSED, Outcome.refusedBy(o).verdict());
            }
        }
    }
}
