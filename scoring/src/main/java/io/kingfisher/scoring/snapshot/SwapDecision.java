package io.kingfisher.scoring.snapshot;

/**
 * What a scorer did with one model snapshot: the one line it logs and the metric it counts.
 *
 * @param domain  the snapshot's domain
 * @param version the snapshot's version
 * @param outcome what happened
 * @param detail  why, naming the values that disagree; may be empty
 */
public record SwapDecision(String domain, long version, Outcome outcome, String detail) {

    /** How an outcome counts: served, waiting to load, nothing to do, or refused. */
    public enum Verdict {
        /** The snapshot's model now scores. */
        ACCEPTED,
        /** The snapshot passed every check that needs no payload; its payload is to be loaded. */
        PENDING,
        /** Nothing to do and nothing wrong: the scorer already has this version or a newer candidate. */
        IGNORED,
        /** The snapshot failed a check; the scorer keeps the model it has. */
        REFUSED
    }

    /** What happened to a snapshot; every outcome has one {@link Verdict}. */
    public enum Outcome {
        /** Verified, loaded and swapped in: its model scores from the next batch on. */
        ACCEPTED(Verdict.ACCEPTED),
        /** Passed the metadata checks and the version rule; its payload is (to be) loaded. */
        CANDIDATE(Verdict.PENDING),
        /** The same version as the one served or already pending: a no-op. */
        SAME_VERSION(Verdict.IGNORED),
        /** A newer candidate arrived before this one's payload was loaded; the newer one is loaded instead. */
        SUPERSEDED(Verdict.IGNORED),
        /** Older than the version served or pending: versions never go backwards. */
        OLDER_VERSION(Verdict.REFUSED),
        /** Published for another domain. */
        WRONG_DOMAIN(Verdict.REFUSED),
        /** See {@link Verification.Outcome#UNSUPPORTED_FORMAT}. */
        UNSUPPORTED_FORMAT(Verdict.REFUSED),
        /** See {@link Verification.Outcome#SIGNATURE_MISSING}. */
        SIGNATURE_MISSING(Verdict.REFUSED),
        /** See {@link Verification.Outcome#SIGNATURE_INVALID}. */
        SIGNATURE_INVALID(Verdict.REFUSED),
        /** See {@link Verification.Outcome#FEATURE_SPEC_MISMATCH}. */
        FEATURE_SPEC_MISMATCH(Verdict.REFUSED),
        /** See {@link Verification.Outcome#CHECKSUM_MISMATCH}. */
        CHECKSUM_MISMATCH(Verdict.REFUSED),
        /** See {@link Verification.Outcome#ARCHITECTURE_MISMATCH}. */
        ARCHITECTURE_MISMATCH(Verdict.REFUSED),
        /** See {@link Verification.Outcome#UNDECODABLE}. */
        UNDECODABLE(Verdict.REFUSED),
        /** See {@link Verification.Outcome#INPUT_SIZE_MISMATCH}. */
        INPUT_SIZE_MISMATCH(Verdict.REFUSED),
        /** The payload could not be read from the model store (missing, unreachable, outside the store). */
        UNREADABLE(Verdict.REFUSED);

        private final Verdict verdict;

        Outcome(Verdict verdict) {
            this.verdict = verdict;
        }

        /** @return how this outcome counts */
        public Verdict verdict() {
            return verdict;
        }

        /**
         * @param failed a failed verification
         * @return the matching refusal
         * @throws IllegalArgumentException for {@link Verification.Outcome#OK}, which is no refusal
         */
        public static Outcome refusedBy(Verification.Outcome failed) {
            return switch (failed) {
                case OK -> throw new IllegalArgumentException("a passed verification is not a refusal");
                case UNSUPPORTED_FORMAT -> UNSUPPORTED_FORMAT;
                case SIGNATURE_MISSING -> SIGNATURE_MISSING;
                case SIGNATURE_INVALID -> SIGNATURE_INVALID;
                case FEATURE_SPEC_MISMATCH -> FEATURE_SPEC_MISMATCH;
                case CHECKSUM_MISMATCH -> CHECKSUM_MISMATCH;
                case ARCHITECTURE_MISMATCH -> ARCHITECTURE_MISMATCH;
                case UNDECODABLE -> UNDECODABLE;
                case INPUT_SIZE_MISMATCH -> INPUT_SIZE_MISMATCH;
            };
        }
    }

    /** @return how the outcome counts */
    public Verdict verdict() {
        return outcome.verdict();
    }

    /** @return true if the snapshot failed a check (counted as refused) */
    public boolean refused() {
        return outcome.verdict() == Verdict.REFUSED;
    }

    /** @return true if the snapshot's model now scores */
    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }

    /** @return the one log line: domain, version, outcome and detail */
    @Override
    public String toString() {
        return "model snapshot " + domain + " v" + version + " " + outcome
                + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
}
