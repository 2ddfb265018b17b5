package io.kingfisher.feedback;

import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.core.TrainingExample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Runs {@link FeedbackJoin} over many keys as the operator does: one state per key, timers fired as the watermark passes them. */
final class Driver {
    final JoinRule rule;
    final FeedbackJoin join;
    final Map<String, InMemoryJoinState> states = new HashMap<>();
    private final Map<String, TreeSet<Long>> timers = new HashMap<>();
    final List<TrainingExample> examples = new ArrayList<>();
    final List<DroppedLabel> dropped = new ArrayList<>();
    int duplicateScores;
    int duplicateLabels;
    int unlabelledTimeouts;
    int lateLabels;
    long watermark = Long.MIN_VALUE;
    /** Processing time handed to the join. */
    long now = 42_000L;
    /** Hand the join every entry of the key on each timer, not only those due (the join before due times existed). */
    boolean everyEntryOnTimers;

    Driver(JoinRule rule, Duration retention) {
        this.rule = rule;
        this.join = new FeedbackJoin(rule, retention);
    }

    Driver score(Score s) {
        String key = rule.keyOf(s);
        take(key, join.onScore(state(key), s));
        return this;
    }

    Driver label(LabelEvent l) {
        take(l.joinKey, join.onLabel(state(l.joinKey), l));
        return this;
    }

    /** The watermark moves to {@code time}: every timer at or before it fires, earliest first. */
    Driver advance(long time) {
        watermark = time;
        while (true) {
            String key = null;
            long first = Long.MAX_VALUE;
            for (var e : timers.entrySet()) {
                if (!e.getValue().isEmpty() && e.getValue().first() < first) {
                    first = e.getValue().first();
                    key = e.getKey();
                }
            }
            if (key == null || first > time) {
                return this;
            }
            timers.get(key).pollFirst();
            InMemoryJoinState state = state(key);
            take(key, join.onTime(everyEntryOnTimers ? new EveryEntry(state) : state, first, now));
        }
    }

    InMemoryJoinState state(String key) {
        return states.computeIfAbsent(key, k -> new InMemoryJoinState());
    }

    boolean empty() {
        return states.values().stream().allMatch(InMemoryJoinState::isEmpty) && timers.values().stream().allMatch(TreeSet::isEmpty);
    }

    List<String> sources() {
        return examples.stream().map(x -> x.getEventId() + ":" + x.getLabelSource() + ":" + (int) x.getLabel()).toList();
    }

    private void take(String key, JoinResult r) {
        examples.addAll(r.examples());
        dropped.addAll(r.dropped());
        timers.computeIfAbsent(key, k -> new TreeSet<>()).addAll(r.timers());
        duplicateScores += r.duplicateScores();
        duplicateLabels += r.duplicateLabels();
        unlabelledTimeouts += r.unlabelledTimeouts();
        lateLabels += r.lateLabels();
    }

    /** A key's state whose timers see every entry, due or not. */
    private record EveryEntry(InMemoryJoinState state) implements JoinState {
        @Override
        public java.util.Collection<ScoreEntry> scoresDueBy(long time) {
            return state.scores();
        }

        @Override
        public ScoreEntry score(String eventId) {
            return state.score(eventId);
        }

        @Override
        public java.util.Collection<ScoreEntry> scores() {
            return state.scores();
        }

        @Override
        public void putScore(ScoreEntry entry) {
            state.putScore(entry);
        }

        @Override
        public void removeScore(String eventId) {
            state.removeScore(eventId);
        }

        @Override
        public HeldLabel label(String id) {
            return state.label(id);
        }

        @Override
        public java.util.Collection<HeldLabel> labels() {
            return state.labels();
        }

        @Override
        public void putLabel(HeldLabel label) {
            state.putLabel(label);
        }

        @Override
        public void removeLabel(String id) {
            state.removeLabel(id);
        }
    }
}
