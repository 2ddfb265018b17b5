package io.kingfisher.scoring.snapshot;

import java.io.IOException;

/** Thrown when a snapshot fails verification and its model is not loaded. */
public final class SnapshotRejectedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Verification verification;

    /**
     * @param domain       the snapshot's domain
     * @param version      the snapshot's version
     * @param verification the failed check
     */
    public SnapshotRejectedException(String domain, long version, Verification verification) {
        super("snapshot " + domain + " v" + version + " rejected: " + verification);
        this.verification = verification;
    }

    /** @return the failed check */
    public Verification verification() {
        return verification;
    }
}
