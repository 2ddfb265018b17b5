package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.ScoringBackend;

/**
 * The configured scoring backend cannot run here: {@code scoring.backend=cuda} without a usable GPU. The message starts
 * with the setting's key and says what is missing.
 */
public final class BackendUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final ScoringBackend backend;
    private final String problem;

    /**
     * @param backend the backend asked for
     * @param problem what is missing (without the key)
     */
    public BackendUnavailableException(ScoringBackend backend, String problem) {
        super(ScoringBackend.SETTING + ": " + problem);
        this.backend = backend;
        this.problem = problem;
    }

    /** @return the backend asked for */
    public ScoringBackend backend() {
        return backend;
    }

    /** @return what is missing, without the key */
    public String problem() {
        return problem;
    }
}
