package io.kingfisher.feedback;

import io.kingfisher.schemas.core.TrainingExample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one step of {@link FeedbackJoin} decided: the examples to emit, the labels dropped, the event-time timers
 * to register, and the counts of what was discarded. The state changes are already made.
 */
public final class JoinResult {
    final List<TrainingExample> examples = new ArrayList<>();
    final List<DroppedLabel> dropped = new ArrayList<>();
    final List<Long> timers = new ArrayList<>();
    int duplicateScores;
    int duplicateLabels;
    int unlabelledTimeouts;
    int lateLabels;

    JoinResult() {
    }

    /** @return the examples to emit, in order */
    public List<TrainingExample> examples() {
        return Collections.unmodifiableList(examples);
    }

    /** @return the labels dropped (late, superseded or unmatched), for the side output */
    public List<DroppedLabel> dropped() {
        return Collections.unmodifiableList(dropped);
    }

    /** @return event times at which {@link FeedbackJoin#onTime} must run for this key (duplicates possible) */
    public List<Long> timers() {
        return Collections.unmodifiableList(timers);
    }

    /** @return 1 if the score was a second score with an event id already held, else 0 */
    public int duplicateScores() {
        return duplicateScores;
    }

    /** @return 1 if the label was a replay of one held or applied (same key, time and value), else 0 */
    public int duplicateLabels() {
        return duplicateLabels;
    }

    /** @return scores whose window closed without a label under {@link JoinRule.OnTimeout#UNLABELLED} */
    public int unlabelledTimeouts() {
        return unlabelledTimeouts;
    }

    /** @return labels that came after a score they label was settled and would have settled it first */
    public int lateLabels() {
        return lateLabels;
    }

    /** @return whether nothing was emitted, dropped, counted or scheduled */
    public boolean isEmpty() {
        return examples.isEmpty() && dropped.isEmpty() && timers.isEmpty()
                && duplicateScores == 0 && duplicateLabels == 0 && unlabelledTimeouts == 0 && lateLabels == 0;
    }
}
