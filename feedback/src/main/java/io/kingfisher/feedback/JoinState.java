package io.kingfisher.feedback;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The state {@link FeedbackJoin} keeps for one join key: the scores it holds by event id and the labels it holds
 * by {@link HeldLabel#idOf}. Values read are copies as far as the caller is concerned: a changed entry must be
 * put back. The Flink operator backs it with keyed map state; {@link InMemoryJoinState} with maps.
 */
public interface JoinState {

    /** @return the entry of that event, or null */
    ScoreEntry score(String eventId);

    /** @return every score entry held */
    Collection<ScoreEntry> scores();

    /**
     * The entries whose next step is due, {@link ScoreEntry#due} {@code <= time}, in any order. A state may index
     * entries by their due time so that this reads only those (the join's timers fire once per due time, and reading
     * every entry of a key on each would cost quadratically in the entries a key holds); this default reads all.
     *
     * @param time the event time reached
     */
    default Collection<ScoreEntry> scoresDueBy(long time) {
        List<ScoreEntry> out = new ArrayList<>();
        for (ScoreEntry e : scores()) {
            if (e.due <= time) {
                out.add(e);
            }
        }
        return out;
    }

    /** Stores the entry (its {@link ScoreEntry#due} set). */
    void putScore(ScoreEntry entry);

    void removeScore(String eventId);

    /** @return the held label with that {@link HeldLabel#idOf id}, or null */
    HeldLabel label(String id);

    /** @return every label held */
    Collection<HeldLabel> labels();

    void putLabel(HeldLabel label);

    void removeLabel(String id);
}
