package io.kingfisher.feedback;

import io.kingfisher.schemas.core.Score;

/**
 * One score the join holds for its key: waiting for its label ({@link Status#PENDING}), or settled and remembered
 * for a while to recognise replays and late labels. A Flink POJO, stored per event id.
 */
public class ScoreEntry {
    /** Where the score is in its life. */
    public enum Status {
        /** Its window is open and no label settled it yet (it may have had a provisional negative). */
        PENDING,
        /** A label settled it (in its window, or later as a correction). */
        LABELLED,
        /** Its window closed without a label. */
        TIMED_OUT
    }

    /** What the examples emitted for it say, the last one winning. */
    public enum Emitted {
        NONE, NEGATIVE, POSITIVE;

        static Emitted of(boolean positive) {
            return positive ? POSITIVE : NEGATIVE;
        }
    }

    public String eventId;
    public long eventTime;
    /** {@code eventTime + window}: the end of its window, inclusive. */
    public long deadline;
    /** The score as served; null once no further example can be emitted for it (the features are not kept). */
    public Score score;
    public Status status;
    public Emitted emitted;
    /** A provisional negative was emitted for it. */
    public boolean provisional;
    /** A correction was emitted for it (at most one is). */
    public boolean corrected;
    /** Time and value of the label that settled it, if {@link Status#LABELLED}. */
    public long labelTime;
    public boolean labelPositive;
    /**
     * The event time of its next step, set by the join whenever it stores the entry ({@link FeedbackJoin#dueOf}):
     * states read the entries due by a time through it ({@link JoinState#scoresDueBy}). 0 in state written before
     * it existed, which makes such an entry due at its key's next timer, where the join sets it.
     */
    public long due;

    public ScoreEntry() {
    }

    static ScoreEntry pending(Score score, long deadline) {
        ScoreEntry e = new ScoreEntry();
        e.eventId = score.getEventId();
        e.eventTime = score.getEventTime();
        e.deadline = deadline;
        e.score = score;
        e.status = Status.PENDING;
        e.emitted = Emitted.NONE;
        return e;
    }

    /** @return a copy sharing the (never modified) score */
    public ScoreEntry copy() {
        ScoreEntry e = new ScoreEntry();
        e.eventId = eventId;
        e.eventTime = eventTime;
        e.deadline = deadline;
        e.score = score;
        e.status = status;
        e.emitted = emitted;
        e.provisional = provisional;
        e.corrected = corrected;
        e.labelTime = labelTime;
        e.labelPositive = labelPositive;
        e.due = due;
        return e;
    }

    boolean pending() {
        return status == Status.PENDING;
    }

    boolean settledBy(LabelEvent label) {
        return status == Status.LABELLED && labelTime == label.labelTime && labelPositive == label.positive;
    }

    @Override
    public String toString() {
        return "ScoreEntry{" + eventId + " at " + eventTime + ", " + status + ", emitted " + emitted
                + (provisional ? ", provisional" : "") + (corrected ? ", corrected" : "") + (score == null ? ", no features" : "") + "}";
    }
}
