package io.kingfisher.features.avro;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeatureSpecException;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.NumericRule;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvroInputBindingTest {
    private static final Schema SCHEMA = SchemaBuilder.record("Tx").fields()
            .requiredString("id").requiredString("card").requiredLong("ts")
            .requiredDouble("amount").optionalDouble("fee").optionalString("country")
            .endRecord();
    private static final FeatureSpec SPEC = FeatureSpec.of(
            FeatureDef.Numeric.of("amount", FeatureDef.Transform.NONE),
            new FeatureDef.Numeric("fee", "fee", FeatureDef.Transform.NONE, 0, true),
            new FeatureDef.OneHot("country", "country", List.of("GB")));
    private static final AvroInputBinding BINDING = new AvroInputBinding(SCHEMA, SPEC, "id", "card", "ts",
            List.of(NumericRule.required("amount", 0, 1e6)));

    private static GenericData.Record tx(String card, double amount, Double fee, String country) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", "t1");
        r.put("card", card);
        r.put("ts", 1000L);
        r.put("amount", amount);
        r.put("fee", fee);
        r.put("country", country);
        return r;
    }

    @Test
    void readsIdentityTimeAndInputsWithNullsAsMissing() {
        InputEvent e = BINDING.extract(tx("c1", 12.5, null, null), 77L);
        assertEquals("t1", e.eventId);
        assertEquals("c1", e.entity);
        assertEquals(1000L, e.eventTime);
        assertEquals(77L, e.ingestTime);
        assertEquals(12.5, e.numbers[0]);
        assertTrue(Double.isNaN(e.numbers[1]));
        assertNull(e.texts[0]);
    }

    @Test
    void rejectsNonFiniteOutOfRangeAndEmptyKeysNamingTheField() {
        InvalidInputException nan = assertThrows(InvalidInputException.class, () -> BINDING.extract(tx("c1", Double.NaN, null, "GB"), 0));
        assertEquals("amount", nan.field());
        InvalidInputException neg = assertThrows(InvalidInputException.class, () -> BINDING.extract(tx("c1", -3, null, "GB"), 0));
        assertTrue(neg.getMessage().contains("outside"), neg.getMessage());
        InvalidInputException inf = assertThrows(InvalidInputException.class,
                () -> BINDING.extract(tx("c1", 3, Double.POSITIVE_INFINITY, "GB"), 0));
        assertEquals("fee", inf.field());
        InvalidInputException key = assertThrows(InvalidInputException.class, () -> BINDING.extract(tx("", 3, null, "GB"), 0));
        assertEquals("card", key.field());
    }

    @Test
    void unknownOrMistypedFieldsFailWhenBound() {
        FeatureSpecException unknown = assertThrows(FeatureSpecException.class, () -> new AvroInputBinding(SCHEMA,
                FeatureSpec.of(FeatureDef.Numeric.of("amount_eur", FeatureDef.Transform.NONE)), "id", "card", "ts", List.of()));
        assertEquals("amount_eur", unknown.feature());
        FeatureSpecException mistyped = assertThrows(FeatureSpecException.class, () -> new AvroInputBinding(SCHEMA,
                FeatureSpec.of(FeatureDef.Numeric.of("country", FeatureDef.Transform.NONE)), "id", "card", "ts", List.of()));
        assertEquals("country", mistyped.feature());
        assertThrows(FeatureSpecException.class, () -> new AvroInputBinding(SCHEMA, SPEC, "id", "card", "card", List.of()));
    }
}
