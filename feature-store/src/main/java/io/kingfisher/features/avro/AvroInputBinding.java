package io.kingfisher.features.avro;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeatureSpecException;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.NumericRule;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an {@link InputEvent} out of Avro records of one schema: the event id, entity key and event time
 * fields, and the inputs a {@link FeatureSpec} names. Field positions are resolved once, when the binding is
 * built, so an unknown or mistyped field fails at job build time naming it; per record it only reads by
 * position. Nulls become missing values (NaN / null); non-finite numbers and rule violations throw
 * {@link InvalidInputException} naming the field.
 */
public final class AvroInputBinding {
    private final int idPos;
    private final int keyPos;
    private final int timePos;
    private final String timeField;
    private final int[] numPos;
    private final String[] numNames;
    private final NumericRule[] numRules;
    private final int[] textPos;
    private final String[] textNames;

    /**
     * @param keyField entity key field, or null to key by event id
     * @param rules    constraints on numeric fields (each must be one of the spec's numeric inputs)
     */
    public AvroInputBinding(Schema schema, FeatureSpec spec, String idField, String keyField, String timeField,
                            List<NumericRule> rules) {
        this.idPos = position(schema, idField, "id");
        this.keyPos = keyField == null ? idPos : position(schema, keyField, "key");
        this.timePos = position(schema, timeField, "time");
        this.timeField = timeField;
        if (!isNumeric(schema.getField(timeField).schema())) {
            throw new FeatureSpecException(timeField, "the time field must be a number (epoch ms), is " + schema.getField(timeField).schema());
        }
        List<String> nums = spec.numericInputs();
        numPos = new int[nums.size()];
        numNames = nums.toArray(String[]::new);
        numRules = new NumericRule[nums.size()];
        Map<String, NumericRule> byField = new HashMap<>();
        for (NumericRule r : rules) {
            if (!nums.contains(r.field())) {
                throw new FeatureSpecException(r.field(), "a rule names a field no feature reads");
            }
            byField.put(r.field(), r);
        }
        for (int i = 0; i < nums.size(); i++) {
            numPos[i] = position(schema, nums.get(i), "numeric input");
            if (!isNumeric(schema.getField(nums.get(i)).schema())) {
                throw new FeatureSpecException(nums.get(i), "numeric input has non-numeric type " + schema.getField(nums.get(i)).schema());
            }
            numRules[i] = byField.get(nums.get(i));
        }
        for (io.kingfisher.features.RelatedEntity r : spec.related()) {
            if (schema.getField(r.keyField()) == null) {
                throw new FeatureSpecException(r.name(), "the key field '" + r.keyField() + "' of related entity '" + r.name()
                        + "' is not a field of " + schema.getFullName());
            }
        }
        List<String> texts = spec.textInputs();
        textPos = new int[texts.size()];
        textNames = texts.toArray(String[]::new);
        for (int i = 0; i < texts.size(); i++) {
            textPos[i] = position(schema, texts.get(i), "text input");
        }
    }

    /** Extracts the event; {@code ingestTime} is the source record's timestamp. */
    public InputEvent extract(IndexedRecord r, long ingestTime) {
        Object id = r.get(idPos);
        if (id == null || id.toString().isEmpty()) {
            throw new InvalidInputException(r.getSchema().getFields().get(idPos).name(), "event id is missing or empty");
        }
        Object key = r.get(keyPos);
        if (key == null || key.toString().isEmpty()) {
            throw new InvalidInputException(r.getSchema().getFields().get(keyPos).name(), "entity key is missing or empty");
        }
        Object time = r.get(timePos);
        if (!(time instanceof Number tn)) {
            throw new InvalidInputException(timeField, "event time is missing");
        }
        double[] numbers = new double[numPos.length];
        for (int i = 0; i < numPos.length; i++) {
            Object v = r.get(numPos[i]);
            double d = v == null ? Double.NaN : ((Number) v).doubleValue();
            if (v != null && !Double.isFinite(d)) {
                throw new InvalidInputException(numNames[i], "non-finite value " + d);
            }
            if (numRules[i] != null) {
                numRules[i].check(d);
            }
            numbers[i] = d;
        }
        String[] texts = new String[textPos.length];
        for (int i = 0; i < textPos.length; i++) {
            Object v = r.get(textPos[i]);
            texts[i] = v == null ? null : v.toString();
        }
        return new InputEvent(id.toString(), key.toString(), tn.longValue(), ingestTime, numbers, texts);
    }

    private static int position(Schema schema, String field, String role) {
        Schema.Field f = field == null ? null : schema.getField(field);
        if (f == null) {
            throw new FeatureSpecException(String.valueOf(field), role + " field not in schema " + schema.getFullName());
        }
        return f.pos();
    }

    private static boolean isNumeric(Schema s) {
        switch (s.getType()) {
            case INT: case LONG: case FLOAT: case DOUBLE:
                return true;
            case UNION:
                for (Schema b : s.getTypes()) {
                    if (b.getType() != Schema.Type.NULL && !isNumeric(b)) {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }
}
