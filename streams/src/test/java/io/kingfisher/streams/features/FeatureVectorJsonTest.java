package io.kingfisher.streams.features;

import static io.kingfisher.streams.features.Vectors.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kingfisher.schemas.core.FeatureVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureVectorJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void rendersTheFieldsAndTheFeaturesByNameInVectorOrder() throws Exception {
        FeatureVector v = vector("fraud", "card-1", 1_000, "abc", 0.5f, -2f, 3.25f);
        v.setNames(List.of("amount_z", "count_1h", "avg_7d"));
        String text = FeatureVectorJson.render(v);
        assertEquals("{\"domain\":\"fraud\",\"entity\":\"card-1\",\"event_time\":1000,\"updated_at\":1005,"
            + "\"feature_spec_hash\":\"abc\",\"features\":{\"amount_z\":0.5,\"count_1h\":-2.0,\"avg_7d\":3.25}}", text);
    }

    @Test
    void aNonFiniteValueIsNull() throws Exception {
        FeatureVector v = vector("card-1", 1, 1f, 2f, 3f);
        v.setValues(new ArrayList<>(List.of(Float.NaN, Float.POSITIVE_INFINITY, 0.1f)));
        JsonNode features = JSON.readTree(FeatureVectorJson.render(v)).get("features");
        assertTrue(features.get("f0").isNull());
        assertTrue(features.get("f1").isNull());
        assertEquals(0.1f, features.get("f2").floatValue());
    }

    @Test
    void namesAndValuesMustPairUp() {
        FeatureVector v = vector("card-1", 1, 1f, 2f);
        v.setValues(List.of(1f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureVectorJson.render(v));
        assertTrue(e.getMessage().contains("2 name(s) but 1 value(s)"), e.getMessage());
    }

    @Test
    void errorsCarryTheMessageAndTheIdentifyingFields() throws Exception {
        JsonNode e = JSON.readTree(FeatureVectorJson.error("no features", Map.of("entity", "card-\"9\"")));
        assertEquals("no features", e.get("error").asText());
        assertEquals("card-\"9\"", e.get("entity").asText());
    }
}
