package io.kingfisher.feedback;

import io.kingfisher.feedback.JoinRule.LateLabels;
import io.kingfisher.feedback.JoinRule.Mode;
import io.kingfisher.feedback.JoinRule.OnTimeout;
import io.kingfisher.feedback.ScoreEntry.Emitted;
import io.kingfisher.feedback.ScoreEntry.Status;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.core.TrainingExample;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The decisions of the feedback join for one join key, without Flink: given the key's {@link JoinState} and a
 * score, a label or the passing of an event time, it updates the state and says which training examples to emit,
 * which labels to drop and which timers to set ({@link JoinResult}). The operator calls it with the keyed state;
 * tests call it with {@link InMemoryJoinState}.
 *
 * <p>Which label labels which score ("applies"): by event id, every label of the key (the key is the event id);
 * by entity, a label at {@code t} applies to the scores with their event in {@code [t - window, t]}. A label
 * applies within the score's window if {@code t <= event_time + window} (always, by entity).
 *
 * <ul>
 *   <li>A score waits until {@code event_time + window}. The first label in event time that applies within its
 *       window settles it: an example with the label's value, label source {@code label}. Labels that came
 *       before the score are held until {@code labelTime + window}, so a score arriving after its label is
 *       settled by it at once.</li>
 *   <li>When its window closes without a label it times out: {@link OnTimeout#NEGATIVE} emits a negative with
 *       label source {@code timeout}; {@link OnTimeout#UNLABELLED} emits nothing and counts it.</li>
 *   <li>With {@link JoinRule#provisionalNegativeAfter()}, a score still waiting after that delay gets a negative
 *       with label source {@code provisional}; a positive label later in its window emits a {@code correction};
 *       a negative one, or the window closing, emits nothing more.</li>
 *   <li>A label for a score already settled is late if it would have settled it first (the score timed out, or
 *       the label that settled it is later in event time); otherwise it is superseded. Under
 *       {@link LateLabels#CORRECT} a late label that says the opposite of what was emitted emits one
 *       {@code correction} (at most one per score). A label that settled or corrected nothing when it came goes
 *       to the side output, late or superseded; one that found no score by its expiry, unmatched. By event id, a
 *       label later than its pending score's window is judged when that window closes. By entity, a label
 *       reported late or superseded may still label a score that arrives after it.</li>
 *   <li>A second score with an event id held, or a label with the time and value of one held or applied, is
 *       dropped and counted.</li>
 *   <li>A settled score is remembered until {@code event_time + window + retention}, to recognise replays and
 *       late labels; its features are dropped as soon as no further example can come from it (at once under
 *       {@link LateLabels#DROP}). Nothing is held past its timer: the state of a key empties once its timers
 *       have fired.</li>
 * </ul>
 *
 * <p>Examples copy the event id, domain, entity, event time, score, model version, feature-spec hash, features
 * and the event's ingest time from the score; {@code label_time} is the label's time (for a timeout the end of the
 * window, for a provisional negative its event time plus the delay), {@code label_ingest_time} the label's ingest
 * time (for a timeout or provisional negative, the processing time {@code now} when it is emitted).
 */
public final class FeedbackJoin implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Label source of an example settled by a label in the score's window. */
    public static final String LABEL = "label";
    /** Label source of a negative emitted because the window closed without a label. */
    public static final String TIMEOUT = "timeout";
    /** Label source of a negative emitted before the window closed, under {@link JoinRule#provisionalNegativeAfter()}. */
    public static final String PROVISIONAL = "provisional";
    /** Label source of an example that reverses one emitted before for the same score. */
    public static final String CORRECTION = "correction";

    private static final Comparator<ScoreEntry> BY_EVENT_TIME =
            Comparator.<ScoreEntry>comparingLong(e -> e.eventTime).thenComparing(e -> e.eventId);
    /** Earliest first; at the same time a positive before a negative, so the order never depends on arrival. */
    private static final Comparator<HeldLabel> BY_LABEL_TIME =
            Comparator.<HeldLabel>comparingLong(h -> h.label.labelTime).thenComparing(h -> !h.label.positive);

    private final JoinRule rule;
    private final long windowMs;
    private final long provisionalMs;
    private final long retentionMs;

    /**
     * @param rule      the join rule
     * @param retention how long after its window closes a settled score is remembered (not negative): labels for
     *                  it within that time are recognised as late (and corrected, under {@link LateLabels#CORRECT}),
     *                  replays of it as duplicates; after it, a label for it is unmatched and a replay of it is
     *                  joined again
     */
    public FeedbackJoin(JoinRule rule, Duration retention) {
        this.rule = Objects.requireNonNull(rule, "rule");
        if (retention == null || retention.isNegative()) {
            throw new IllegalArgumentException("retention: must not be negative, was " + retention);
        }
        this.windowMs = rule.window().toMillis();
        this.provisionalMs = rule.provisionalNegativeAfter() == null ? -1 : rule.provisionalNegativeAfter().toMillis();
        this.retentionMs = retention.toMillis();
    }

    public JoinRule rule() {
        return rule;
    }

    public Duration retention() {
        return Duration.ofMillis(retentionMs);
    }

    /** A score of the key arrives. */
    public JoinResult onScore(JoinState state, Score score) {
        JoinResult r = new JoinResult();
        if (state.score(score.getEventId()) != null) {
            r.duplicateScores = 1;
            return r;
        }
        ScoreEntry e = ScoreEntry.pending(score, score.getEventTime() + windowMs);
        List<HeldLabel> held = sortedLabels(state);
        HeldLabel first = null;
        for (HeldLabel h : held) {
            if (applies(h.label, e) && inWindow(h.label, e)) {
                first = h;
                break;
            }
        }
        if (first == null) {
            if (provisionalMs >= 0) {
                r.timers.add(e.eventTime + provisionalMs);
            }
            r.timers.add(e.deadline);
        } else {
            settle(e, first.label, r);
            if (first.status != HeldLabel.Status.USED) {
                first.status = HeldLabel.Status.USED;
                state.putLabel(first);
            }
            for (HeldLabel h : held) {
                if (h != first && applies(h.label, e) && h.status == HeldLabel.Status.WAITING && !h.superseded) {
                    h.superseded = true;
                    state.putLabel(h);
                }
            }
        }
        store(state, e);
        r.timers.add(e.deadline + retentionMs);
        return r;
    }

    /** A label of the key arrives. */
    public JoinResult onLabel(JoinState state, LabelEvent label) {
        JoinResult r = new JoinResult();
        if (state.label(HeldLabel.idOf(label)) != null) {
            r.duplicateLabels = 1;
            return r;
        }
        boolean used = false;
        boolean replay = false;
        boolean late = false;
        String lateReason = null;
        String supersededReason = null;
        for (ScoreEntry e : sortedScores(state)) {
            if (!applies(label, e)) {
                continue;
            }
            if (e.pending()) {
                if (inWindow(label, e)) {
                    settle(e, label, r);
                    store(state, e);
                    used = true;
                }
                // else (by event id): later than the window; judged when the window closes
            } else if (e.settledBy(label)) {
                replay = true;
            } else if (wins(label, e)) {
                late = true;
                if (correct(e, label, r)) {
                    store(state, e);
                    used = true;
                } else if (lateReason == null) {
                    lateReason = lateReason(e, label);
                }
            } else if (supersededReason == null) {
                supersededReason = supersededReason(e);
            }
        }
        if (replay && !late && !used && supersededReason == null) {
            r.duplicateLabels = 1; // its held copy expired, but the score it settled is still remembered
            return r;
        }
        HeldLabel h = new HeldLabel(label, used ? HeldLabel.Status.USED : HeldLabel.Status.WAITING);
        if (late) {
            r.lateLabels = 1;
        }
        if (!used && lateReason != null) {
            r.dropped.add(new DroppedLabel(label, DroppedLabel.Kind.LATE, lateReason));
            h.status = HeldLabel.Status.REPORTED;
        } else if (!used && supersededReason != null) {
            r.dropped.add(new DroppedLabel(label, DroppedLabel.Kind.SUPERSEDED, supersededReason));
            h.status = HeldLabel.Status.REPORTED;
        }
        state.putLabel(h);
        r.timers.add(label.labelTime + windowMs);
        return r;
    }

    /**
     * The event time of the key reached {@code time} (a timer fired): provisional negatives, timeouts, and the
     * expiry of remembered scores and held labels.
     *
     * @param time the event time reached, a timer's time
     * @param now  processing time, epoch ms: the label ingest time of the timeouts and provisional negatives emitted
     */
    public JoinResult onTime(JoinState state, long time, long now) {
        JoinResult r = new JoinResult();
        List<HeldLabel> held = sortedLabels(state);
        List<ScoreEntry> due = new ArrayList<>(state.scoresDueBy(time));
        due.sort(BY_EVENT_TIME);
        for (ScoreEntry e : due) {
            if (e.pending() && provisionalMs >= 0 && !e.provisional && e.eventTime + provisionalMs <= time) {
                r.examples.add(unlabelled(e.score, PROVISIONAL, e.eventTime + provisionalMs, now));
                e.provisional = true;
                e.emitted = Emitted.NEGATIVE;
            }
            if (e.pending() && e.deadline <= time) {
                timeOut(e, r, now);
                judgeLabelsAfterWindow(state, e, held, r);
                retire(e);
            }
            if (!e.pending() && e.deadline + retentionMs <= time) {
                state.removeScore(e.eventId);
            } else {
                store(state, e); // with its next due time
            }
        }
        for (HeldLabel h : held) {
            if (h.label.labelTime + windowMs <= time) {
                if (h.status == HeldLabel.Status.WAITING) {
                    r.dropped.add(h.superseded
                            ? new DroppedLabel(h.label, DroppedLabel.Kind.SUPERSEDED,
                                    "superseded: every score it labels had been settled by an earlier label")
                            : new DroppedLabel(h.label, DroppedLabel.Kind.UNMATCHED, unmatchedReason(h.label)));
                }
                state.removeLabel(h.id());
            }
        }
        return r;
    }

    private void timeOut(ScoreEntry e, JoinResult r, long now) {
        e.status = Status.TIMED_OUT;
        if (e.provisional) {
            return; // the provisional negative stands
        }
        if (rule.onTimeout() == OnTimeout.NEGATIVE) {
            r.examples.add(unlabelled(e.score, TIMEOUT, e.deadline, now));
            e.emitted = Emitted.NEGATIVE;
        } else {
            r.unlabelledTimeouts++;
        }
    }

    /** By event id: the labels that came while the score waited but lie beyond its window are late, now that it closed. */
    private void judgeLabelsAfterWindow(JoinState state, ScoreEntry e, List<HeldLabel> held, JoinResult r) {
        for (HeldLabel h : held) {
            if (h.status != HeldLabel.Status.WAITING || !applies(h.label, e) || inWindow(h.label, e)) {
                continue;
            }
            if (!wins(h.label, e)) {
                h.status = HeldLabel.Status.REPORTED;
                r.dropped.add(new DroppedLabel(h.label, DroppedLabel.Kind.SUPERSEDED, supersededReason(e)));
            } else {
                r.lateLabels++;
                if (correct(e, h.label, r)) {
                    h.status = HeldLabel.Status.USED;
                } else {
                    h.status = HeldLabel.Status.REPORTED;
                    r.dropped.add(new DroppedLabel(h.label, DroppedLabel.Kind.LATE, lateReason(e, h.label)));
                }
            }
            state.putLabel(h);
        }
    }

    /** A label in its window settles a pending score. */
    private void settle(ScoreEntry e, LabelEvent label, JoinResult r) {
        if (!e.provisional) {
            r.examples.add(labelled(e.score, label.positive, LABEL, label));
            e.emitted = Emitted.of(label.positive);
        } else if (label.positive) {
            r.examples.add(labelled(e.score, true, CORRECTION, label));
            e.emitted = Emitted.POSITIVE;
            e.corrected = true;
        } // a negative label agrees with the provisional negative: nothing more
        e.status = Status.LABELLED;
        e.labelTime = label.labelTime;
        e.labelPositive = label.positive;
        retire(e);
    }

    /** A late label that would have settled a settled score first: a correction if the rule allows and it contradicts. */
    private boolean correct(ScoreEntry e, LabelEvent label, JoinResult r) {
        if (rule.lateLabels() != LateLabels.CORRECT || e.score == null || e.corrected
                || e.emitted == Emitted.NONE || e.emitted == Emitted.of(label.positive)) {
            return false;
        }
        r.examples.add(labelled(e.score, label.positive, CORRECTION, label));
        e.emitted = Emitted.of(label.positive);
        e.corrected = true;
        e.status = Status.LABELLED;
        e.labelTime = label.labelTime;
        e.labelPositive = label.positive;
        retire(e);
        return true;
    }

    /** Drops the features of a settled score once no example can come from it any more. */
    private void retire(ScoreEntry e) {
        if (!e.pending() && (rule.lateLabels() == LateLabels.DROP || e.corrected || e.emitted == Emitted.NONE)) {
            e.score = null;
        }
    }

    private boolean applies(LabelEvent label, ScoreEntry e) {
        return rule.mode() == Mode.BY_EVENT_ID || (e.eventTime <= label.labelTime && label.labelTime <= e.deadline);
    }

    private static boolean inWindow(LabelEvent label, ScoreEntry e) {
        return label.labelTime <= e.deadline;
    }

    /** Whether a label for a settled score would have settled it first. */
    private static boolean wins(LabelEvent label, ScoreEntry e) {
        return e.status == Status.TIMED_OUT || label.labelTime < e.labelTime;
    }

    /** An example settled by a label record: its time, arrival and Kafka position travel with it. */
    private TrainingExample labelled(Score s, boolean positive, String source, LabelEvent label) {
        return example(s, positive, source, label.labelTime, label.ingestTime)
                .setLabelPartition(label.partition)
                .setLabelOffset(label.offset)
                .build();
    }

    /** A negative no label record settled (a timeout or a provisional negative), emitted at {@code now}. */
    private TrainingExample unlabelled(Score s, String source, long labelTime, long now) {
        return example(s, false, source, labelTime, now).build();
    }

    private TrainingExample.Builder example(Score s, boolean positive, String source, long labelTime, long labelIngestTime) {
        return TrainingExample.newBuilder()
                .setEventId(s.getEventId())
                .setDomain(s.getDomain())
                .setEntity(s.getEntity())
                .setEventTime(s.getEventTime())
                .setLabelTime(labelTime)
                .setLabel(positive ? 1.0 : 0.0)
                .setScore(s.getScore())
                .setModelVersion(s.getModelVersion())
                .setFeatureSpecHash(s.getFeatureSpecHash())
                .setFeatures(s.getFeatures())
                .setLabelSource(source)
                .setLabelIngestTime(labelIngestTime)
                .setScoreIngestTime(s.getIngestTime());
    }

    private String lateReason(ScoreEntry e, LabelEvent label) {
        String what = "the label at " + at(label.labelTime) + " came after event " + e.eventId + (e.status == Status.TIMED_OUT
                ? " had timed out (its window closed at " + at(e.deadline) + ")"
                : " had been settled by a later label (at " + at(e.labelTime) + ")");
        if (rule.lateLabels() == LateLabels.DROP) {
            return "late: " + what + "; late labels are dropped";
        }
        if (e.corrected) {
            return "late: " + what + "; it was corrected once already";
        }
        if (e.emitted == Emitted.NONE) {
            return "late: " + what + "; it timed out unlabelled, and a late label does not label it";
        }
        return "late: " + what + "; its example already says " + (e.emitted == Emitted.POSITIVE ? "positive" : "negative")
                + ", nothing to correct";
    }

    private static String supersededReason(ScoreEntry e) {
        return "superseded: event " + e.eventId + " was settled by an earlier label ("
                + (e.labelPositive ? "positive" : "negative") + " at " + at(e.labelTime) + ")";
    }

    private String unmatchedReason(LabelEvent label) {
        String expiry = at(label.labelTime + windowMs);
        if (rule.mode() == Mode.BY_EVENT_ID) {
            return "unmatched: no score of event " + label.joinKey + " arrived before the label expired at " + expiry
                    + " (its time plus the window " + rule.window() + ")";
        }
        return "unmatched: no score of entity " + label.joinKey + " with its event in [" + at(label.labelTime - windowMs)
                + ", " + at(label.labelTime) + "] arrived before the label expired at " + expiry;
    }

    private static String at(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    /** Every entry goes into the state through here, with its next due time. */
    private void store(JoinState state, ScoreEntry e) {
        e.due = dueOf(e);
        state.putScore(e);
    }

    /**
     * The event time of an entry's next step ({@link ScoreEntry#due}): while it waits, its provisional
     * negative (if the rule has one and it was not emitted) or else the end of its window; once settled or timed out,
     * the end of its retention, when it is forgotten. Each of these times has a timer ({@link #onScore}), and it only
     * moves forward as the entry goes through its life.
     */
    long dueOf(ScoreEntry e) {
        if (e.pending()) {
            return provisionalMs >= 0 && !e.provisional ? Math.min(e.eventTime + provisionalMs, e.deadline) : e.deadline;
        }
        return e.deadline + retentionMs;
    }

    private static List<ScoreEntry> sortedScores(JoinState state) {
        List<ScoreEntry> out = new ArrayList<>(state.scores());
        out.sort(BY_EVENT_TIME);
        return out;
    }

    private static List<HeldLabel> sortedLabels(JoinState state) {
        Collection<HeldLabel> labels = state.labels();
        List<HeldLabel> out = new ArrayList<>(labels);
        out.sort(BY_LABEL_TIME);
        return out;
    }
}
