package io.kingfisher.streams.features;

import io.kingfisher.schemas.core.FeatureVector;
import java.util.List;

/** Feature vectors for the tests. */
final class Vectors {
    static final String SPEC = "spec-a";

    private Vectors() {
    }

    static FeatureVector vector(String domain, String entity, long eventTime, String spec, float... values) {
        List<String> names = new java.util.ArrayList<>();
        List<Float> boxed = new java.util.ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            names.add("f" + i);
            boxed.add(values[i]);
        }
        return FeatureVector.newBuilder().setDomain(domain).setEntity(entity).setEventTime(eventTime)
            .setUpdatedAt(eventTime + 5).setFeatureSpecHash(spec).setNames(names).setValues(boxed).build();
    }

    static FeatureVector vector(String entity, long eventTime, float... values) {
        return vector("fraud", entity, eventTime, SPEC, values);
    }
}
