package io.kingfisher.feedback.flink;

import io.kingfisher.feedback.HeldLabel;
import io.kingfisher.feedback.JoinState;
import io.kingfisher.feedback.ScoreEntry;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.util.FlinkRuntimeException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@link JoinState} over the operator's keyed map state, for the current key. */
final class FlinkJoinState implements JoinState {
    private final MapState<String, ScoreEntry> scores;
    private final MapState<String, HeldLabel> labels;

    FlinkJoinState(MapState<String, ScoreEntry> scores, MapState<String, HeldLabel> labels) {
        this.scores = scores;
        this.labels = labels;
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

    @Override
    public void putScore(ScoreEntry entry) {
        try {
            scores.put(entry.eventId, entry);
        } catch (Exception e) {
            throw new FlinkRuntimeException("writing the feedback join's score " + entry.eventId, e);
        }
    }

    @Override
    public void removeScore(String eventId) {
        try {
            scores.remove(eventId);
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
