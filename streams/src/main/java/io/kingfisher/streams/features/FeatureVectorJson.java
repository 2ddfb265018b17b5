package io.kingfisher.streams.features;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kingfisher.schemas.core.FeatureVector;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the lookup's answers: a vector as
 * {@code {"domain","entity","event_time","updated_at","feature_spec_hash","features":{name:value,...}}} (columns in
 * vector order; a non-finite value, which JSON cannot hold, as {@code null}), and errors as {@code {"error":...}}
 * with the fields that identify what was asked.
 */
public final class FeatureVectorJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FeatureVectorJson() {
    }

    /**
     * @return the vector as a JSON object
     * @throws IllegalArgumentException if it has not as many values as names
     */
    public static String render(FeatureVector v) {
        List<String> names = v.getNames();
        List<Float> values = v.getValues();
        if (names.size() != values.size()) {
            throw new IllegalArgumentException("vector of entity '" + v.getEntity() + "' in domain '" + v.getDomain()
                + "' has " + names.size() + " name(s) but " + values.size() + " value(s)");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("domain", v.getDomain());
        out.put("entity", v.getEntity());
        out.put("event_time", v.getEventTime());
        out.put("updated_at", v.getUpdatedAt());
        out.put("feature_spec_hash", v.getFeatureSpecHash());
        ObjectNode features = out.putObject("features");
        for (int i = 0; i < names.size(); i++) {
            Float x = values.get(i);
            if (x == null || !Float.isFinite(x)) {
                features.putNull(names.get(i));
            } else {
                features.put(names.get(i), x.floatValue());
            }
        }
        return out.toString();
    }

    /** @return {@code {"state","ready","domains":[...],"detail"}} */
    public static String health(FeatureLookup.Health health, List<String> domains) {
        ObjectNode out = JSON.createObjectNode();
        out.put("state", health.state());
        out.put("ready", health.ready());
        domains.forEach(out.putArray("domains")::add);
        out.put("detail", health.detail());
        return out.toString();
    }

    /**
     * @param message what went wrong, for a person
     * @param fields  identifying fields added to the object (e.g. domain, entity), in order
     * @return {@code {"error":message, field:value...}}
     */
    public static String error(String message, Map<String, String> fields) {
        ObjectNode out = JSON.createObjectNode();
        out.put("error", message);
        fields.forEach(out::put);
        return out.toString();
    }
}
