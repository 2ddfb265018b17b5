package io.kingfisher.domain;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.NumericRule;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.schemas.topic.Topics;
import org.apache.avro.Schema;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Everything the generic pipeline needs to know about one use case: the event schema and which of its fields
 * are the event id, the entity key and the event time; the features; the input rules; the model's shape; the
 * outputs. Fraud, clicks and clinical are instances ({@link BuiltInDomains}); a user can declare another.
 *
 * @param keyField entity key, or null to key each event by its id
 */
public record Domain(
        String name,
        Schema eventSchema,
        String idField,
        String keyField,
        String timeField,
        FeatureSpec features,
        List<NumericRule> rules,
        ModelShape model,
        Outputs outputs) implements Serializable {

    public Domain {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalArgumentException("domain name '" + name + "' must be lower-case letters, digits, '-' or '_'");
        }
        Objects.requireNonNull(eventSchema, "eventSchema");
        Objects.requireNonNull(idField, "idField");
        Objects.requireNonNull(timeField, "timeField");
        Objects.requireNonNull(features, "features");
        rules = List.copyOf(rules);
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(outputs, "outputs");
    }

    /** Resolves the id, key, time and input fields in the event schema; fails naming a field that is not there. */
    public AvroInputBinding inputBinding() {
        return new AvroInputBinding(eventSchema, features, idField, keyField, timeField, rules);
    }

    public String eventsTopic() {
        return Topics.events(name);
    }

    public String labelsTopic() {
        return Topics.labels(name);
    }

    public String scoresTopic() {
        return Topics.scores(name);
    }

    public String dlqTopic() {
        return Topics.dlq(name);
    }

    /** The model's hidden layers and training defaults. */
    public record ModelShape(List<Integer> hidden, double learningRate, double l2, int epochs) implements Serializable {
        public ModelShape {
            hidden = List.copyOf(hidden);
            if (hidden.isEmpty() || hidden.stream().anyMatch(h -> h < 1)) {
                throw new IllegalArgumentException("model.hidden must list positive layer widths, was " + hidden);
            }
        }
    }

    /** What the scores feed: an alert threshold (and topic) where the domain raises alerts. */
    public record Outputs(double alertThreshold, String alertsTopic) implements Serializable {
        public Outputs {
            if (!(alertThreshold > 0 && alertThreshold < 1)) {
                throw new IllegalArgumentException("outputs.alert_threshold must be in (0, 1), was " + alertThreshold);
            }
        }
    }
}
