package io.kingfisher.feedback.flink;

import io.kingfisher.feedback.HeldLabel;
import io.kingfisher.feedback.JoinState;
import io.kingfisher.feedback.ScoreEntry;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.util.FlinkRuntimeException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link JoinState} over the operator's keyed map state, for the current key.
 *
 * <p><b>Due-time index</b> (where keys hold many scores: an entity-window rule). Besides the entries by event id, a small map files each entry's event id under its next
 * due time ({@link ScoreEntry#due}), so that a timer reads only the entries due, not every
 * entry of the key: with an entity-window rule a key (a patient) holds every score of its window, and deserializing
 * all of them (each with its features) on every timer was most of the join's time. An entry is filed when it is put;
 * a filing it has moved on from (its due time only moves forward) or one of a removed entry is dropped when its time
 * comes. Keys restored from state written before the index existed are filed on their first timer ({@code indexed}
 * marks a key whose entries are all filed; it is cleared with the key's last entry, so nothing outlives the key's
 * state).
 */
final class FlinkJoinState implements JoinState {
    private final MapState<String, ScoreEntry> scores;
    private final MapState<String, HeldLabel> labels;
    private final MapState<Long, String[]> byDue;
    private final ValueState<Boolean> indexed;

    /**
     * @param byDue   event ids by due time
     * @param indexed whether every entry of the key is filed in {@code byDue}
     */
    FlinkJoinState(MapState<String, ScoreEntry> scores, MapState<String, HeldLabel> labels, MapState<Long, String[]> byDue,
                   ValueState<Boolean> indexed) {
        this.scores = scores;
        this.labels = labels;
        this.byDue = byDue;
        this.indexed = indexed;
    }

    /** Without the index: a timer reads every entry of the key (for keys that hold one, e.g. by event id). */
    FlinkJoinState(MapState<String, ScoreEntry> scores, MapState<String, HeldLabel> labels) {
        this(scores, labels, null, null);
    }

    @Override
    public ScoreEntry score(String eventId) {
        try {
            return scores.get(eventId);
        } catch (Exception e) {
            throw new FlinkRuntimeException("reading the feedback join's score " + eventId, e);
        }
    }

    @Override
    public Collection<ScoreEntry> scores() {
        try {
            List<ScoreEntry> out = new ArrayList<>();
            for (ScoreEntry e : scores.values()) {
                out.add(e);
            }
            return out;
        } catch (Exception e) {
            throw new FlinkRuntimeException("reading the feedback join's scores", e);
        }
    }

    /**
     * The entries due by {@code time}, read through the index. Each time an entry is filed under has a timer at that
     * very time ({@link io.kingfisher.feedback.FeedbackJoin#dueOf}), and timers fire in order, so the filings before
     * {@code time} were read and removed by their own timers: only the filing at {@code time} is read. Scanning every
     * filing of the key instead, on each timer, was most of the clinical join's time (a patient holds hundreds).
     * A key not yet marked {@code indexed} (new, or restored from state without the index) is filed and scanned once.
     */
    @Override
    public Collection<ScoreEntry> scoresDueBy(long time) {
        if (byDue == null) {
            return JoinState.super.scoresDueBy(time);
        }
        try {
            List<Long> times = new ArrayList<>();
            if (indexed.value() == null) {
                boolean any = false;
                for (ScoreEntry e : scores.values()) {
                    file(e.eventId, e.due);
                    any = true;
                }
                if (any) {
                    indexed.update(true);
                }
                for (Long t : byDue.keys()) {
                    if (t <= time) {
                        times.add(t);
                    }
                }
            } else {
                times.add(time);
            }
            Map<String, ScoreEntry> out = new LinkedHashMap<>();
            for (Long t : times) {
                String[] ids = byDue.get(t);
                if (ids == null) {
                    continue; // a timer of a held label's expiry only
                }
                byDue.remove(t);
                for (String id : ids) {
                    if (out.containsKey(id)) {
                        continue;
                    }
                    ScoreEntry e = scores.get(id);
                    if (e != null && e.due <= time) {
                        out.put(id, e); // the join puts it back (filed under its next time) or removes it
                    }
                }
            }
            return out.values();
        } catch (Exception e) {
            throw new FlinkRuntimeException("reading the feedback join's scores due by " + time, e);
        }
    }

    @Override
    public void putScore(ScoreEntry entry) {
        try {
            scores.put(entry.eventId, entry);
            if (byDue != null) {
                file(entry.eventId, entry.due);
            }
        } catch (Exception e) {
            throw new FlinkRuntimeException("writing the feedback join's score " + entry.eventId, e);
        }
    }

    private void file(String eventId, long dueTime) throws Exception {
        String[] ids = byDue.get(dueTime);
        if (ids == null) {
            byDue.put(dueTime, new String[] {eventId});
        } else if (!Arrays.asList(ids).contains(eventId)) {
            String[] more = Arrays.copyOf(ids, ids.length + 1);
            more[ids.length] = eventId;
            byDue.put(dueTime, more);
        }
    }

    /** Its filing in the index goes when its time comes; with the key's last entry the whole index goes. */
    @Override
    public void removeScore(String eventId) {
        try {
            scores.remove(eventId);
            if (byDue != null && scores.isEmpty()) {
                byDue.clear();
                indexed.clear();
            }
        } catch (Exception e) {
            throw new FlinkRuntimeException("removing the feedback join's score " + eventId, e);
        }
    }

    @Override
    public HeldLabel label(String id) {
        try {
            return labels.get(id);
        } catch (Exception e) {
            throw new FlinkRuntimeException("reading the feedback join's label " + id, e);
        }
    }

    @Override
    public Collection<HeldLabel> labels() {
        try {
            List<HeldLabel> out = new ArrayList<>();
            for (HeldLabel h : labels.values()) {
                out.add(h);
            }
            return out;
        } catch (Exception e) {
            throw new FlinkRuntimeException("reading the feedback join's labels", e);
        }
    }

    @Override
    public void putLabel(HeldLabel label) {
        try {
            labels.put(label.id(), label);
        } catch (Exception e) {
            throw new FlinkRuntimeException("writing the feedback join's label " + label.id(), e);
        }
    }

    @Override
    public void removeLabel(String id) {
        try {
            labels.remove(id);
        } catch (Exception e) {
            throw new FlinkRuntimeException("removing the feedback join's label " + id, e);
        }
    }
}
