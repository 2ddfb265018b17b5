package io.kingfisher.feedback;

import io.kingfisher.schemas.core.Score;

import java.util.List;

/** Scores and labels for the tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A score whose fields are all derived from its id and time, so a test can check each is copied. */
    public static Score score(String eventId, String entity, long eventTime) {
        return Score.newBuilder()
                .setEventId(eventId)
                .setDomain("fraud")
                .setEntity(entity)
                .setEventTime(eventTime)
                .setIngestTime(eventTime + 5)
                .setScoreTime(eventTime + 900)
                .setScore(0.25)
                .setModelVersion(7L)
                .setFeatureSpecHash("spec-" + eventId)
                .setFeatures(List.of(1.5f, (float) eventId.length(), -2f))
                .build();
    }

    public static LabelEvent label(String key, long labelTime, boolean positive) {
        return new LabelEvent(key, labelTime, positive, labelTime + 3);
    }
}
