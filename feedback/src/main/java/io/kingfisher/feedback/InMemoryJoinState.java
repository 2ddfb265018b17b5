package io.kingfisher.feedback;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link JoinState} in two maps, for one key. It copies entries in and out, as a serializing state backend
 * does, so a change that is not put back is lost here too.
 */
public final class InMemoryJoinState implements JoinState {
    private final Map<String, ScoreEntry> scores = new HashMap<>();
    private final Map<String, HeldLabel> labels = new HashMap<>();

    @Override
    public ScoreEntry score(String eventId) {
        ScoreEntry e = scores.get(eventId);
        return e == null ? null : e.copy();
    }

    @Override
    public Collection<ScoreEntry> scores() {
        List<ScoreEntry> out = new ArrayList<>(scores.size());
        scores.values().forEach(e -> out.add(e.copy()));
        return out;
    }

    @Override
    public void putScore(ScoreEntry entry) {
        scores.put(entry.eventId, entry.copy());
    }

    @Override
    public void removeScore(String eventId) {
        scores.remove(eventId);
    }

    @Override
    public HeldLabel label(String id) {
        HeldLabel h = labels.get(id);
        return h == null ? null : h.copy();
    }

    @Override
    public Collection<HeldLabel> labels() {
        List<HeldLabel> out = new ArrayList<>(labels.size());
        labels.values().forEach(h -> out.add(h.copy()));
        return out;
    }

    @Override
    public void putLabel(HeldLabel label) {
        labels.put(label.id(), label.copy());
    }

    @Override
    public void removeLabel(String id) {
        labels.remove(id);
    }

    /** @return whether nothing is held */
    public boolean isEmpty() {
        return scores.isEmpty() && labels.isEmpty();
    }
}
