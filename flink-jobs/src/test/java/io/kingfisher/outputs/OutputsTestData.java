package io.kingfisher.outputs;

import io.kingfisher.schemas.core.Score;

import java.util.ArrayList;
import java.util.List;

/** Scores for the output tests. */
final class OutputsTestData {
    private OutputsTestData() {
    }

    static Score score(String domain, String entity, String eventId, long eventTime, double score, float... features) {
        List<Float> f = new ArrayList<>(features.length);
        for (float v : features) {
            f.add(v);
        }
        return Score.newBuilder()
                .setEventId(eventId)
                .setDomain(domain)
                .setEntity(entity)
                .setEventTime(eventTime)
                .setIngestTime(eventTime)
                .setScoreTime(eventTime)
                .setScore(score)
                .setModelVersion(3L)
                .setFeatureSpecHash("spec")
                .setFeatures(f)
                .build();
    }
}
