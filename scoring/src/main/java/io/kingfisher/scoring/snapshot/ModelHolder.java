package io.kingfisher.scoring.snapshot;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.snapshot.SwapDecision.Outcome;
import io.kingfisher.scoring.snapshot.SwapPolicy.LoadResult;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The model a scorer serves, and the snapshots on their way to replace it. Plain Java; <b>not
 * thread-safe</b>: one instance per scoring subtask, used from its task thread only (loading a
 * payload with {@link SwapPolicy#load} is the part that may run elsewhere).
 *
 * <p>Life of a snapshot: {@link #offer} screens it ({@link SwapPolicy#screen}); a candidate is
 * queued, replacing (superseding) a queued one that has not started loading. {@link
 * #startNextLoad} hands out the queued candidate when no load is running; the caller loads it
 * and passes the result to {@link #complete}, which swaps the model in (closing the one it
 * replaces) or reports the refusal and keeps the current model. At most one load runs at a time,
 * and a model is swapped in only if its version is above the one served, so the served version
 * never decreases.
 *
 * <p>Every outcome goes to the listener given at construction, once: the caller logs and counts
 * there. The holder owns the model it serves and closes it in {@link #close}.
 */
public final class ModelHolder implements AutoCloseable {

    private final SwapPolicy policy;
    private final Consumer<SwapDecision> listener;

    private ModelSnapshot snapshot;
    private Model model;
    private ModelSnapshot loading;
    private ModelSnapshot queued;

    /**
     * @param policy   the acceptance rules
     * @param listener receives every decision (accepted, candidate, ignored, refused), in order
     */
    public ModelHolder(SwapPolicy policy, Consumer<SwapDecision> listener) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** @return the model that scores now, or null if none was accepted yet */
    public Model model() {
        return model;
    }

    /** @return the snapshot of the model that scores now, or null */
    public ModelSnapshot snapshot() {
        return snapshot;
    }

    /** @return the version that scores now, or -1 if none */
    public long version() {
        return snapshot == null ? -1 : snapshot.getVersion();
    }

    /**
     * @param nowMs the scorer's clock, epoch ms
     * @return true if there is a model and it is not older than the policy's maximum age
     */
    public boolean usable(long nowMs) {
        return model != null && policy.fresh(snapshot, nowMs);
    }

    /**
     * Screens a snapshot; a candidate is queued for loading.
     *
     * @param s a snapshot as read from the snapshot topic
     * @return the decision about {@code s} (already passed to the listener)
     */
    public SwapDecision offer(ModelSnapshot s) {
        ModelSnapshot pending = newestPending();
        SwapDecision decision = policy.screen(s, version(), pending == null ? -1 : pending.getVersion());
        if (decision.outcome() == Outcome.CANDIDATE) {
            if (queued != null) {
                listener.accept(new SwapDecision(queued.getDomain(), queued.getVersion(), Outcome.SUPERSEDED,
                        "v" + s.getVersion() + " arrived before its payload was loaded"));
            }
            queued = s;
        }
        listener.accept(decision);
        return decision;
    }

    /**
     * Starts the next load if none is running.
     *
     * @return the snapshot whose payload the caller must now load and pass to {@link #complete},
     *     or empty if a load is running or nothing is queued
     */
    public Optional<ModelSnapshot> startNextLoad() {
        if (loading != null || queued == null) {
            return Optional.empty();
        }
        loading = queued;
        queued = null;
        return Optional.of(loading);
    }

    /** @return true if a snapshot handed out by {@link #startNextLoad} has not completed */
    public boolean isLoading() {
        return loading != null;
    }

    /**
     * @return the newest snapshot queued or loading, or null: what a checkpoint must keep so a
     *     restored scorer loads it again
     */
    public ModelSnapshot newestPending() {
        return queued != null ? queued : loading;
    }

    /**
     * Finishes the running load: swaps the model in, or reports the refusal and keeps the current
     * model. The caller must have scored everything that belongs to the old model (flushed its
     * open batch) before calling this.
     *
     * @param result the result of loading the snapshot handed out by {@link #startNextLoad}
     * @return {@link Outcome#ACCEPTED}, or the refusal
     * @throws IllegalStateException if {@code result} is not for the snapshot being loaded
     */
    public SwapDecision complete(LoadResult result) {
        if (loading == null || result.snapshot() != loading) {
            result.discard();
            throw new IllegalStateException("no load of " + describe(result.snapshot()) + " is running"
                    + (loading == null ? "" : "; loading " + describe(loading)));
        }
        loading = null;
        ModelSnapshot s = result.snapshot();
        SwapDecision decision;
        if (!result.loaded()) {
            decision = new SwapDecision(s.getDomain(), s.getVersion(), result.outcome(), result.detail());
        } else if (s.getVersion() <= version()) {
            // Cannot happen through offer(); kept so that the served version can never decrease.
            result.discard();
            decision = new SwapDecision(s.getDomain(), s.getVersion(), Outcome.OLDER_VERSION,
                    "serving v" + version() + "; versions never go backwards");
        } else {
            Model replaced = model;
            String detail = snapshot == null ? "first model" : "replaces v" + snapshot.getVersion();
            model = result.model();
            snapshot = s;
            if (replaced != null) {
                replaced.close();
            }
            decision = new SwapDecision(s.getDomain(), s.getVersion(), Outcome.ACCEPTED, detail);
        }
        listener.accept(decision);
        return decision;
    }

    private static String describe(ModelSnapshot s) {
        return s == null ? "null" : s.getDomain() + " v" + s.getVersion();
    }

    /** Closes the served model. */
    @Override
    public void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
