package io.kingfisher.feedback;

import java.util.Collection;

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

    void putScore(ScoreEntry entry);

    void removeScore(String eventId);

    /** @return the held label with that {@link HeldLabel#idOf id}, or null */
    HeldLabel label(String id);

    /** @return every label held */
    Collection<HeldLabel> labels();

    void putLabel(HeldLabel label);

    void removeLabel(String id);
}
