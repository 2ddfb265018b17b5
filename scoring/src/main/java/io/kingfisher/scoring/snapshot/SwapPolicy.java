package io.kingfisher.scoring.snapshot;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelFactory;
import io.kingfisher.scoring.snapshot.SwapDecision.Outcome;
import io.kingfisher.scoring.store.ModelStore;
import java.io.IOException;

/**
 * Decides whether a scorer may swap in a model snapshot. Plain Java, immutable and thread-safe:
 * {@link #screen} runs where snapshots arrive, {@link #load} may run on any thread.
 *
 * <p>A snapshot is accepted only if, in this order:
 * <ol>
 *   <li>it is for the scorer's domain;</li>
 *   <li>its payload format is one this release decodes;</li>
 *   <li>its signature verifies under the configured HMAC key (with a key configured, an unsigned
 *       snapshot is refused; without one, signatures are not checked);</li>
 *   <li>its feature-spec hash is the scorer's;</li>
 *   <li>its version is greater than both the version served and the newest one already pending
 *       (versions never go backwards; the same version is a no-op, not a refusal);</li>
 *   <li>its payload, read from the model store, matches the recorded SHA-256, decodes, has the
 *       recorded architecture and takes exactly the scorer's feature width as input.</li>
 * </ol>
 * Steps 1 to 5 need no payload ({@link #screen}); step 6 reads and decodes it ({@link #load}).
 * Checking the signature before the version means that a forged snapshot is always counted as
 * refused, whatever version it claims.
 *
 * <p><b>Model age.</b> With a maximum age configured, a model whose snapshot was created longer
 * ago than that ({@code now - created_at}, on the scorer's clock) is not {@link #fresh}: the
 * scorer holds events rather than score them with it, until a fresher snapshot is accepted.
 * Clock skew between trainer and scorer shifts the age by the skew; a snapshot "from the future"
 * counts as fresh.
 */
public final class SwapPolicy {

    private final String domain;
    private final String featureSpecHash;
    private final int featureWidth;
    private final byte[] hmacKey;
    private final long maxModelAgeMs;

    /**
     * @param domain          the scorer's domain
     * @param featureSpecHash the hash of the feature definitions the scorer computes
     * @param featureWidth    the number of features per event, {@code >= 1}
     * @param hmacKeyOrNull   the shared signing key (at least {@value Snapshots#MIN_KEY_BYTES} bytes),
     *     or null to accept unsigned snapshots
     * @param maxModelAgeMs   the oldest a model may be to score, in ms; 0 = no limit
     */
    public SwapPolicy(String domain, String featureSpecHash, int featureWidth, byte[] hmacKeyOrNull,
                      long maxModelAgeMs) {
        if (domain == null || domain.isBlank()) {
            throw new IllegalArgumentException("domain must not be blank");
        }
        if (featureSpecHash == null || featureSpecHash.isBlank()) {
            throw new IllegalArgumentException("featureSpecHash must not be blank");
        }
        if (featureWidth < 1) {
            throw new IllegalArgumentException("featureWidth must be >= 1, was " + featureWidth);
        }
        if (hmacKeyOrNull != null && hmacKeyOrNull.length < Snapshots.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the HMAC key must have at least " + Snapshots.MIN_KEY_BYTES
                    + " bytes, had " + hmacKeyOrNull.length);
        }
        if (maxModelAgeMs < 0) {
            throw new IllegalArgumentException("maxModelAgeMs must be >= 0 (0 = no limit), was " + maxModelAgeMs);
        }
        this.domain = domain;
        this.featureSpecHash = featureSpecHash;
        this.featureWidth = featureWidth;
        this.hmacKey = hmacKeyOrNull == null ? null : hmacKeyOrNull.clone();
        this.maxModelAgeMs = maxModelAgeMs;
    }

    /** @return the scorer's domain */
    public String domain() {
        return domain;
    }

    /** @return the number of features per event */
    public int featureWidth() {
        return featureWidth;
    }

    /** @return the oldest a model may be to score, in ms; 0 = no limit */
    public long maxModelAgeMs() {
        return maxModelAgeMs;
    }

    /**
     * The checks that need no payload: domain, format, signature, feature spec, then the version
     * rule.
     *
     * @param s              the snapshot
     * @param servingVersion the version of the model that scores now, or -1 if none
     * @param pendingVersion the newest version already waiting to be loaded, or -1 if none
     * @return {@link Outcome#CANDIDATE} if its payload should be loaded, else why not
     */
    public SwapDecision screen(ModelSnapshot s, long servingVersion, long pendingVersion) {
        if (s == null) {
            throw new IllegalArgumentException("snapshot must not be null");
        }
        String d = s.getDomain();
        long version = s.getVersion();
        if (!domain.equals(d)) {
            return new SwapDecision(d, version, Outcome.WRONG_DOMAIN, "this scorer serves domain '" + domain + "'");
        }
        Verification metadata = Snapshots.verifyMetadata(s, hmacKey, featureSpecHash);
        if (!metadata.ok()) {
            return new SwapDecision(d, version, Outcome.refusedBy(metadata.outcome()), metadata.detail());
        }
        if (version == servingVersion) {
            return new SwapDecision(d, version, Outcome.SAME_VERSION, "already serving v" + version);
        }
        if (version < servingVersion) {
            return new SwapDecision(d, version, Outcome.OLDER_VERSION, "serving v" + servingVersion
                    + "; versions never go backwards");
        }
        if (version == pendingVersion) {
            return new SwapDecision(d, version, Outcome.SAME_VERSION, "v" + version + " is already pending");
        }
        if (version < pendingVersion) {
            return new SwapDecision(d, version, Outcome.OLDER_VERSION, "v" + pendingVersion
                    + " is already pending; versions never go backwards");
        }
        return new SwapDecision(d, version, Outcome.CANDIDATE, servingVersion < 0 ? "no model yet"
                : "newer than v" + servingVersion);
    }

    /**
     * Reads the payload, checks everything again (metadata, checksum, architecture, input width)
     * and decodes it. Thread-safe: call it off the scoring thread to keep scoring while a model
     * loads.
     *
     * @param s             a snapshot that passed {@link #screen}
     * @param store         where payloads live
     * @param batchCapacity the largest micro-batch the model will score
     * @return the model, or why there is none
     */
    public LoadResult load(ModelSnapshot s, ModelStore store, int batchCapacity) {
        return load(s, store, batchCapacity, ModelFactory.ND4J);
    }

    /**
     * Like {@link #load(ModelSnapshot, ModelStore, int)}, with the model made by the scoring backend's factory: the
     * backend prepares the model (a GPU backend uploads its weights) here, on the loading thread, so the swap itself
     * only exchanges references at a batch boundary. A factory that fails (say, out of device memory) refuses the
     * snapshot as {@link Outcome#UNDECODABLE}, with the failure in the detail.
     *
     * @param factory makes the served model from the verified network
     */
    public LoadResult load(ModelSnapshot s, ModelStore store, int batchCapacity, ModelFactory factory) {
        try {
            return LoadResult.loaded(s, Snapshots.load(s, store, hmacKey, featureSpecHash, batchCapacity, featureWidth,
                    factory));
        } catch (SnapshotRejectedException e) {
            return LoadResult.refused(s, Outcome.refusedBy(e.verification().outcome()), e.verification().detail(), null);
        } catch (IOException e) {
            return LoadResult.refused(s, Outcome.UNREADABLE, e.getMessage(), e);
        } catch (RuntimeException e) {
            // DL4J reports some malformed payloads (a zip with a broken configuration) as runtime exceptions.
            return LoadResult.refused(s, Outcome.UNDECODABLE, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    /**
     * @param s     the snapshot of the model in use
     * @param nowMs the scorer's clock, epoch ms
     * @return true if no maximum age is set or the model is at most that old
     */
    public boolean fresh(ModelSnapshot s, long nowMs) {
        return maxModelAgeMs == 0 || ageMs(s, nowMs) <= maxModelAgeMs;
    }

    /**
     * @param s     a snapshot
     * @param nowMs the scorer's clock, epoch ms
     * @return {@code now - created_at}, in ms (negative if the trainer's clock is ahead)
     */
    public static long ageMs(ModelSnapshot s, long nowMs) {
        return nowMs - s.getCreatedAt();
    }

    /**
     * The result of {@link #load}: a model to swap in, or the refusal.
     *
     * @param snapshot    the snapshot that was loaded
     * @param model       the decoded model, or null if refused
     * @param outcome     {@link Outcome#CANDIDATE} if loaded, else the refusal
     * @param detail      why it was refused; empty if loaded
     * @param readFailure the I/O error behind {@link Outcome#UNREADABLE}, else null
     */
    public record LoadResult(ModelSnapshot snapshot, Model model, Outcome outcome, String detail, IOException readFailure) {

        /**
         * @param s     the snapshot
         * @param model its decoded model
         * @return a result to swap in
         */
        public static LoadResult loaded(ModelSnapshot s, Model model) {
            return new LoadResult(s, model, Outcome.CANDIDATE, "", null);
        }

        /**
         * @param s           the snapshot
         * @param outcome     the refusal
         * @param detail      why
         * @param readFailure the I/O error behind {@link Outcome#UNREADABLE}, or null
         * @return a refused result
         */
        public static LoadResult refused(ModelSnapshot s, Outcome outcome, String detail, IOException readFailure) {
            if (outcome.verdict() != SwapDecision.Verdict.REFUSED) {
                throw new IllegalArgumentException(outcome + " is not a refusal");
            }
            return new LoadResult(s, null, outcome, detail == null ? "" : detail, readFailure);
        }

        /** @return true if there is a model to swap in */
        public boolean loaded() {
            return model != null;
        }

        /** Closes the model if there is one (a result that will not be swapped in). */
        public void discard() {
            if (model != null) {
                model.close();
            }
        }
    }
}
