package io.kingfisher.domain;

import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.NumericRule;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.trainer.online.LearnerSettings;
import org.apache.avro.Schema;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the generic pipeline needs to know about one use case: the event schema and which of its fields
 * are the event id, the entity key and the event time; the features; the input rules; the model's shape; the
 * labels (their schema and the rule that joins them to scores); the outputs. Fraud, clicks and clinical are
 * instances ({@link BuiltInDomains}); a user can declare another.
 *
 * <p>Every part validates itself when built and names the offending key the way a domain file would spell it
 * (e.g. {@code labels.time_field}, {@code outputs.clear_threshold}, {@code model.embeddings[0].column}), so a bad
 * declaration fails before anything starts.
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
        Labels labels,
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
        if (labels == null) {
            throw new IllegalArgumentException("labels: domain '" + name + "' must declare its labels (schema and rule)");
        }
        Objects.requireNonNull(outputs, "outputs");
        model.checkAgainst(features);
        for (String f : features.labelTextInputs()) {
            if (labels.schema().getField(f) == null) {
                throw new IllegalArgumentException("features.related.labels.key_field: '" + f + "' is not a field of the label schema "
                        + labels.schema().getFullName() + " (its fields: " + labels.schema().getFields().stream().map(Schema.Field::name).toList() + ")");
            }
        }
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

    /**
     * The model's hidden layers and training defaults, and for a recommendation model the embedded id columns.
     *
     * @param embeddings hashed-id columns embedded in front of the MLP, in order; they must be the first columns of
     *                   the feature vector (empty for a plain MLP). With two or more of one dimension the model also
     *                   sees their pairwise dot products.
     * @param fineTuneScale online fine-tuning's base learning rate as a fraction of the warm start's, unless
     *                      {@code learning.lr_scale} is set: the domain's own default, since how far one label may
     *                      move the model depends on how its labels arrive (clinical's come in bursts of one
     *                      patient's observations)
     * @param learningWindow examples in the online learner's prequential windows (gate, rollback, tuning), unless
     *                       {@code learning.window} is set: the domain's own default, since the gate needs positives
     *                       in its window and how many a window holds depends on the base rate and how labels
     *                       arrive
     */
    public record ModelShape(List<Integer> hidden, double learningRate, double l2, int epochs, List<Embedding> embeddings,
                             double fineTuneScale, int learningWindow)
            implements Serializable {
        /** {@link #fineTuneScale} when a domain does not say: the default of {@code learning.lr_scale}. */
        public static final double DEFAULT_FINE_TUNE_SCALE = LearnerSettings.defaults().learningRateScale();
        /** The largest {@link #fineTuneScale}, as for {@code learning.lr_scale}. */
        public static final double MAX_FINE_TUNE_SCALE = 10;
        /** {@link #learningWindow} when a domain does not say: the default of {@code learning.window}. */
        public static final int DEFAULT_LEARNING_WINDOW = LearnerSettings.defaults().window();
        /** The bounds of {@link #learningWindow}, as for {@code learning.window}. */
        public static final int MIN_LEARNING_WINDOW = 50;
        public static final int MAX_LEARNING_WINDOW = 1_000_000;

        public ModelShape {
            hidden = List.copyOf(hidden);
            if (hidden.isEmpty() || hidden.stream().anyMatch(h -> h < 1)) {
                throw new IllegalArgumentException("model.hidden must list positive layer widths, was " + hidden);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("model.learning_rate must be finite and > 0, was " + learningRate);
            }
            if (!(l2 >= 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("model.l2 must be finite and >= 0, was " + l2);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("model.epochs must be >= 1, was " + epochs);
            }
            if (!(fineTuneScale > 0) || Double.isInfinite(fineTuneScale)) {
                throw new IllegalArgumentException("model.fine_tune_scale must be finite and > 0, was " + fineTuneScale);
            }
            if (fineTuneScale > MAX_FINE_TUNE_SCALE) {
                throw new IllegalArgumentException("model.fine_tune_scale must be at most " + MAX_FINE_TUNE_SCALE + ", was "
                        + fineTuneScale);
            }
            if (learningWindow < MIN_LEARNING_WINDOW || learningWindow > MAX_LEARNING_WINDOW) {
                throw new IllegalArgumentException("model.learning_window must be in [" + MIN_LEARNING_WINDOW + ", "
                        + MAX_LEARNING_WINDOW + "], was " + learningWindow);
            }
            embeddings = embeddings == null ? List.of() : List.copyOf(embeddings);
            if (embeddings.size() > IdEmbeddings.MAX_TABLES) {
                throw new IllegalArgumentException("model.embeddings: at most " + IdEmbeddings.MAX_TABLES + ", was " + embeddings.size());
            }
        }

        /** With the default fine-tuning scale. */
        public ModelShape(List<Integer> hidden, double learningRate, double l2, int epochs, List<Embedding> embeddings) {
            this(hidden, learningRate, l2, epochs, embeddings, DEFAULT_FINE_TUNE_SCALE, DEFAULT_LEARNING_WINDOW);
        }

        /** A plain MLP, with the default fine-tuning scale. */
        public ModelShape(List<Integer> hidden, double learningRate, double l2, int epochs) {
            this(hidden, learningRate, l2, epochs, List.of());
        }

        /** @return this shape with online fine-tuning starting at {@code scale} of the warm start's learning rate */
        public ModelShape withFineTuneScale(double scale) {
            return new ModelShape(hidden, learningRate, l2, epochs, embeddings, scale, learningWindow);
        }

        /** @return this shape with the online learner's windows holding {@code examples} examples */
        public ModelShape withLearningWindow(int examples) {
            return new ModelShape(hidden, learningRate, l2, epochs, embeddings, fineTuneScale, examples);
        }

        /** @return the scoring-side description of the embeddings, or null for a plain MLP */
        public IdEmbeddings idEmbeddings() {
            if (embeddings.isEmpty()) {
                return null;
            }
            List<IdEmbeddings.Table> tables = embeddings.stream()
                    .map(e -> new IdEmbeddings.Table(e.vocabulary(), e.dimension())).toList();
            boolean sameDimension = embeddings.stream().mapToInt(Embedding::dimension).distinct().count() == 1;
            return new IdEmbeddings(tables, embeddings.size() >= 2 && sameDimension);
        }

        /** The embedded columns must lead the feature vector, in order. */
        void checkAgainst(FeatureSpec features) {
            List<String> columns = features.outputNames();
            for (int i = 0; i < embeddings.size(); i++) {
                String column = embeddings.get(i).column();
                if (i >= columns.size() || !columns.get(i).equals(column)) {
                    throw new IllegalArgumentException("model.embeddings[" + i + "].column: '" + column
                            + "' must be feature column " + i + (i < columns.size() ? ", which is '" + columns.get(i) + "'" : "")
                            + " (embedded id columns lead the feature vector)");
                }
            }
        }

        /**
         * One embedded id column.
         *
         * @param column     the feature column holding the hashed id ({@link io.kingfisher.scoring.IdHash})
         * @param vocabulary rows of the table; ids are bucketed by {@code hash mod vocabulary}
         * @param dimension  embedding width
         */
        public record Embedding(String column, int vocabulary, int dimension) implements Serializable {
            public Embedding {
                if (column == null || column.isBlank()) {
                    throw new IllegalArgumentException("model.embeddings.column: required");
                }
                if (vocabulary < 1 || vocabulary > io.kingfisher.scoring.IdHash.MAX_VOCABULARY) {
                    throw new IllegalArgumentException("model.embeddings.vocabulary of '" + column + "' must be in [1, "
                            + io.kingfisher.scoring.IdHash.MAX_VOCABULARY + "], was " + vocabulary);
                }
                if (dimension < 1 || dimension > 1024) {
                    throw new IllegalArgumentException("model.embeddings.dimension of '" + column + "' must be in [1, 1024], was "
                            + dimension);
                }
            }
        }
    }

    /**
     * The labels: their Avro schema (the value schema of {@code <domain>.labels}), the field holding the entity (the
     * Kafka key of a label record, so labels land on the partition of their entity's scores), the field holding the
     * label's event time, the rule joining labels to scores, and where the domain says so, the timing of its
     * feedback ({@link #withFeedbackTiming}).
     *
     * @param keyField entity field of the label, or null when labels carry none (then only a {@link
     *                 LabelRule.ByEventId} rule is possible)
     * @param timeField when the label became true, epoch ms (a number)
     * @param outOfOrderness null, or see {@link #withFeedbackTiming}
     * @param provisionalNegativeAfter null, or see {@link #withFeedbackTiming}
     */
    public record Labels(Schema schema, String keyField, String timeField, LabelRule rule, Duration outOfOrderness,
                         Duration provisionalNegativeAfter) implements Serializable {
        /** Labels whose feedback timing is the learning job's defaults ({@link #withFeedbackTiming}). */
        public Labels(Schema schema, String keyField, String timeField, LabelRule rule) {
            this(schema, keyField, timeField, rule, null, null);
        }

        public Labels {
            if (schema == null) {
                throw new IllegalArgumentException("labels.schema: required");
            }
            if (schema.getType() != Schema.Type.RECORD) {
                throw new IllegalArgumentException("labels.schema: must be a record, was " + schema.getType());
            }
            if (rule == null) {
                throw new IllegalArgumentException("labels.rule: required");
            }
            if (keyField != null) {
                requireField(schema, keyField, "labels.key_field");
            } else if (rule instanceof LabelRule.ByEntityWithin) {
                throw new IllegalArgumentException("labels.key_field: a by-entity rule needs the label's entity field");
            }
            Schema.Field time = requireField(schema, timeField, "labels.time_field");
            Schema.Type tt = LabelValue.nonNull(time.schema()).getType();
            if (tt != Schema.Type.LONG && tt != Schema.Type.INT) {
                throw new IllegalArgumentException("labels.time_field: '" + timeField + "' must be a long (epoch ms), is " + tt.getName());
            }
            if (rule instanceof LabelRule.ByEventId byId) {
                requireField(schema, byId.idField(), "labels.rule.id_field");
            }
            rule.value().validate(schema);
            if (outOfOrderness != null && outOfOrderness.isNegative()) {
                throw new IllegalArgumentException("labels.out_of_orderness: must be zero or positive, was " + outOfOrderness);
            }
            if (provisionalNegativeAfter != null && (provisionalNegativeAfter.isNegative() || provisionalNegativeAfter.isZero()
                    || provisionalNegativeAfter.compareTo(rule.window()) >= 0 || rule.onTimeout() != LabelRule.OnTimeout.NEGATIVE)) {
                throw new IllegalArgumentException("labels.provisional_negative_after: must be positive and shorter than the "
                        + "label window (" + rule.window() + "), for a rule whose timeouts are negative; was " + provisionalNegativeAfter);
            }
        }

        /**
         * The timing of this domain's feedback, where it differs from the learning job's defaults (each may still be
         * set per job: {@code feedback.out_of_orderness}, {@code feedback.provisional_negative_after}).
         *
         * @param outOfOrderness           how far behind the latest event time a score or label may arrive and still
         *                                 be joined in event-time order: the learning job's watermarks lag by this
         *                                 much, so it delays every timeout and provisional negative; null = the
         *                                 features' allowed lateness (every score the features accepted is in order)
         * @param provisionalNegativeAfter a score without a label becomes a provisional negative after this long (a
         *                                 later positive in the window emits a correction); null = the job's default
         */
        public Labels withFeedbackTiming(Duration outOfOrderness, Duration provisionalNegativeAfter) {
            return new Labels(schema, keyField, timeField, rule, outOfOrderness, provisionalNegativeAfter);
        }

        private static Schema.Field requireField(Schema schema, String field, String key) {
            if (field == null || field.isBlank()) {
                throw new IllegalArgumentException(key + ": required");
            }
            Schema.Field f = schema.getField(field);
            if (f == null) {
                throw new IllegalArgumentException(key + ": '" + field + "' is not a field of " + schema.getFullName());
            }
            return f;
        }
    }

    /**
     * What the scores feed. Alerts: a score at or above {@code alertThreshold} raises an alert for its entity; with
     * hysteresis ({@code clearThreshold < alertThreshold}) a raised alert clears only when a later score of the entity
     * falls below {@code clearThreshold}, so a score wobbling around the threshold does not flap. Feed: the
     * {@code feedSize} best-scored items per entity go to {@code feedTopic} (top-K recommendations).
     *
     * @param alertsTopic where alerts go, or null for a domain that raises none
     * @param feedSize    entries per entity in the feed; 0 for no feed
     * @param feedTopic   where the feed goes; required exactly when {@code feedSize > 0}
     */
    public record Outputs(double alertThreshold, double clearThreshold, String alertsTopic, int feedSize, String feedTopic)
            implements Serializable {
        /** Most entries per entity a feed keeps. */
        public static final int MAX_FEED_SIZE = 1000;

        public Outputs {
            if (!(alertThreshold > 0 && alertThreshold < 1)) {
                throw new IllegalArgumentException("outputs.alert_threshold must be in (0, 1), was " + alertThreshold);
            }
            if (!(clearThreshold > 0 && clearThreshold <= alertThreshold)) {
                throw new IllegalArgumentException("outputs.clear_threshold must be in (0, alert_threshold = " + alertThreshold
                        + "], was " + clearThreshold);
            }
            if (alertsTopic != null) {
                Topics.requireLegalName(alertsTopic);
            }
            if (feedSize < 0 || feedSize > MAX_FEED_SIZE) {
                throw new IllegalArgumentException("outputs.feed_size must be in [0, " + MAX_FEED_SIZE + "], was " + feedSize);
            }
            if (feedSize > 0 && feedTopic == null) {
                throw new IllegalArgumentException("outputs.feed_topic is required when outputs.feed_size > 0");
            }
            if (feedSize == 0 && feedTopic != null) {
                throw new IllegalArgumentException("outputs.feed_size must be > 0 when outputs.feed_topic is set");
            }
            if (feedTopic != null) {
                Topics.requireLegalName(feedTopic);
            }
        }

        /** Alerts at {@code alertThreshold} without hysteresis, no feed. */
        public Outputs(double alertThreshold, String alertsTopic) {
            this(alertThreshold, alertThreshold, alertsTopic, 0, null);
        }

        /** @return whether a raised alert clears below a lower threshold than the one that raised it */
        public boolean hasHysteresis() {
            return clearThreshold < alertThreshold;
        }
    }
}
