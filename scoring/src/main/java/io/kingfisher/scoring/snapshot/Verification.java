package io.kingfisher.scoring.snapshot;

/**
 * The outcome of checking a snapshot against its payload, the signing key and the scorer's
 * feature spec, with a human-readable detail for logs and metrics.
 *
 * @param outcome what was found
 * @param detail  why, naming the values that disagree; empty when the snapshot passed
 */
public record Verification(Outcome outcome, String detail) {

    /** What a check found; everything but {@link #OK} means the snapshot must not be served. */
    public enum Outcome {
        /** All checks passed. */
        OK,
        /** The payload format is not one this release can decode. */
        UNSUPPORTED_FORMAT,
        /** A signing key is configured but the snapshot carries no signature. */
        SIGNATURE_MISSING,
        /** The signature does not match the metadata under the configured key. */
        SIGNATURE_INVALID,
        /** The snapshot was built for other feature definitions than the scorer computes. */
        FEATURE_SPEC_MISMATCH,
        /** The payload's SHA-256 differs from the one in the metadata. */
        CHECKSUM_MISMATCH,
        /** The decoded network does not match the snapshot's architecture (found only when loading). */
        ARCHITECTURE_MISMATCH,
        /**
         * The payload matches its checksum but cannot be decoded as its format (found only when
         * loading).
         */
        UNDECODABLE,
        /**
         * The network's input width differs from the number of features the scorer computes (found
         * only when loading for a scorer that states its width).
         */
        INPUT_SIZE_MISMATCH
    }

    /** @return a passing verification */
    public static Verification passed() {
        return new Verification(Outcome.OK, "");
    }

    static Verification failed(Outcome outcome, String detail) {
        return new Verification(outcome, detail);
    }

    /** @return true if the snapshot may be served */
    public boolean ok() {
        return outcome == Outcome.OK;
    }

    @Override
    public String toString() {
        return ok() ? "OK" : outcome + ": " + detail;
    }
}
