package io.kingfisher.domain;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.schemas.clicks.ClickEvent;
import io.kingfisher.schemas.clicks.ClickEventType;
import io.kingfisher.schemas.clinical.ClinicalOutcome;
import io.kingfisher.schemas.clinical.OutcomeType;
import io.kingfisher.schemas.fraud.FraudLabel;
import io.kingfisher.schemas.fraud.LabelSource;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import io.kingfisher.schemas.topic.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainTest {

    private static void fails(String expected, Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void psiComparesEachColumnOnceItsWarmUpIsCovered() {
        Domain fraud = BuiltInDomains.fraud();
        List<String> names = fraud.features().outputNames();
        long[] w = fraud.features().columnWarmUpMillis();
        assertEquals(names.size(), w.length);
        assertEquals(0, w[names.indexOf("amount")], "a field as sent needs no warm-up");
        assertEquals(0, w[names.indexOf("channel[ONLINE]")]);
        assertEquals(io.kingfisher.features.FeatureSpec.NEVER, w[names.indexOf("hour[sin]")], "never against days of history");
        assertEquals(io.kingfisher.features.FeatureSpec.NEVER, w[names.indexOf("foreign_country")]);
        assertEquals(Duration.ofDays(4).toMillis(), w[names.indexOf("card_txn_1d")], "four half-lives");
        assertEquals(Duration.ofDays(30).toMillis(), w[names.indexOf("since_last_txn")], "the cap");
        assertEquals(Duration.ofMinutes(65).toMillis(), w[names.indexOf("merchant.txn_1h")], "a related entity's window and bucket");
        assertEquals(Duration.ofDays(8).toMillis(), w[names.indexOf("merchant_fraud_rate")], "a label window, via the ratio");
        assertEquals(Duration.ofHours(25).toMillis(), w[names.indexOf("amount_vs_merchant")], "a difference: its longer side");
        List<Long> settings = io.kingfisher.jobs.LearnSettings.learner(
                io.kingfisher.config.Config.of(java.util.Map.of(), io.kingfisher.jobs.LearnSettings.ALL), fraud).psiWarmUp();
        assertEquals(w.length, settings.size());
        long oneDay = Duration.ofDays(1).toMillis(); // fraud's provisional negatives: examples are a fair sample after it
        assertEquals(w[names.indexOf("since_last_txn")] + oneDay, settings.get(names.indexOf("since_last_txn")));
        assertEquals(oneDay, settings.get(names.indexOf("amount")));
        assertEquals(io.kingfisher.features.FeatureSpec.NEVER, settings.get(names.indexOf("hour[cos]")));
        Domain clicks = BuiltInDomains.clicks();
        List<String> clickColumns = clicks.features().outputNames();
        List<Long> clickSettings = learner(java.util.Map.of(), clicks).psiWarmUp();
        assertEquals(io.kingfisher.features.FeatureSpec.NEVER, clickSettings.get(clickColumns.indexOf("user_hash")),
                "an embedded id: which ids are active is not a feature distribution");
        assertEquals(io.kingfisher.features.FeatureSpec.NEVER, clickSettings.get(clickColumns.indexOf("item_hash")));
        assertEquals(Duration.ofMinutes(30).toMillis(), clickSettings.get(clickColumns.indexOf("position")),
                "a plain column: the attribution window only");
    }

    /** The online learner's settings for the domain under these job settings. */
    private static io.kingfisher.trainer.online.LearnerSettings learner(java.util.Map<String, String> raw, Domain d) {
        return io.kingfisher.jobs.LearnSettings.learner(io.kingfisher.config.Config.of(raw, io.kingfisher.jobs.LearnSettings.ALL), d);
    }

    @Test
    void aDomainSetsItsFineTuningRateAndLearningWindowUnlessTheSettingsAreGiven() {
        java.util.Map<String, String> none = java.util.Map.of();
        Domain c = BuiltInDomains.clinical();
        Domain gentle = new Domain(c.name(), c.eventSchema(), c.idField(), c.keyField(), c.timeField(), c.features(), c.rules(),
                c.model().withFineTuneScale(0.05), c.labels(), c.outputs());
        assertEquals(Domain.ModelShape.DEFAULT_FINE_TUNE_SCALE, learner(none, c).learningRateScale());
        assertEquals(0.05, learner(none, gentle).learningRateScale());
        assertEquals(0.5, learner(java.util.Map.of("learning.lr_scale", "0.5"), gentle).learningRateScale(), "the setting wins");
        fails("model.fine_tune_scale must be finite and > 0, was 0.0",
                () -> BuiltInDomains.fraud().model().withFineTuneScale(0));

        assertEquals(5000, learner(none, BuiltInDomains.clicks()).window());
        assertEquals(BuiltInDomains.RARE_POSITIVES_LEARNING_WINDOW, learner(none, BuiltInDomains.fraud()).window());
        assertEquals(BuiltInDomains.RARE_POSITIVES_LEARNING_WINDOW, learner(none, BuiltInDomains.clinical()).window());
        assertEquals(800, learner(java.util.Map.of("learning.window", "800"), BuiltInDomains.clinical()).window(),
                "the setting wins");
        fails("model.learning_window must be in [50, 1000000], was 10",
                () -> BuiltInDomains.fraud().model().withLearningWindow(10));
    }

    @Test
    void builtInDomainsAreCompleteSpecs() {
        for (String name : BuiltInDomains.NAMES) {
            Domain d = BuiltInDomains.byName(name);
            assertEquals(name, d.name());
            assertNotNull(d.inputBinding(), name);
            assertNotNull(d.labels().rule(), name);
            assertEquals(name + ".labels", d.labelsTopic());
        }
        fails("unknown domain 'weather'; built in: fraud, clicks, clinical", () -> BuiltInDomains.byName("weather"));
    }

    @Test
    void eachDomainSaysWhatALabelMeans() {
        Domain fraud = BuiltInDomains.fraud();
        LabelRule.ByEventId byId = (LabelRule.ByEventId) fraud.labels().rule();
        assertEquals("transaction_id", byId.idField());
        assertEquals(Duration.ofDays(30), byId.window());
        assertEquals(LabelRule.OnTimeout.NEGATIVE, byId.onTimeout());
        FraudLabel chargeback = FraudLabel.newBuilder().setTransactionId("t").setCardId("c").setIsFraud(true)
                .setSource(LabelSource.CHARGEBACK).setLabelTime(1L).build();
        assertTrue(byId.value().isPositive(chargeback));
        assertFalse(byId.value().isPositive(FraudLabel.newBuilder(chargeback).setIsFraud(false).build()));

        Domain clicks = BuiltInDomains.clicks();
        LabelRule.ByEventId click = (LabelRule.ByEventId) clicks.labels().rule();
        assertEquals("impression_id", click.idField());
        assertEquals(Duration.ofMinutes(30), click.window());
        assertTrue(click.value().isPositive(ClickEvent.newBuilder().setEventId("c").setType(ClickEventType.CLICK)
                .setImpressionId("i").setUserId("u").setItemId("it").setPosition(0).setEventTime(1L).build()));
        assertEquals(10, clicks.outputs().feedSize());
        assertEquals(Topics.RECS_FEED, clicks.outputs().feedTopic());
        assertNull(clicks.outputs().alertsTopic());
        assertEquals(2, clicks.model().embeddings().size());
        assertTrue(clicks.model().idEmbeddings().interactions());

        Domain clinical = BuiltInDomains.clinical();
        LabelRule.ByEntityWithin outcome = (LabelRule.ByEntityWithin) clinical.labels().rule();
        assertEquals(Duration.ofHours(12), outcome.window());
        assertEquals("patient_id", clinical.labels().keyField());
        ClinicalOutcome icu = ClinicalOutcome.newBuilder().setPatientId("p").setWardId("w").setOutcome(OutcomeType.ICU_TRANSFER)
                .setEventTime(1L).build();
        assertTrue(outcome.value().isPositive(icu));
        assertFalse(outcome.value().isPositive(ClinicalOutcome.newBuilder(icu).setOutcome(OutcomeType.DISCHARGE).build()));
        assertTrue(clinical.outputs().hasHysteresis());
        assertEquals(0.1, clinical.outputs().clearThreshold());
        assertNull(BuiltInDomains.fraud().model().idEmbeddings());
    }

    @Test
    void domainsSurviveJavaSerialization() throws Exception {
        for (String name : BuiltInDomains.NAMES) {
            Domain d = BuiltInDomains.byName(name);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(d);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                Domain back = (Domain) in.readObject();
                assertEquals(d.labels().rule(), back.labels().rule(), name);
                assertEquals(d.outputs(), back.outputs(), name);
                assertEquals(d.model(), back.model(), name);
                assertEquals(d.features().hash(), back.features().hash(), name);
            }
        }
    }

    @Test
    void labelSpecErrorsNameTheKey() {
        LabelRule rule = new LabelRule.ByEventId("transaction_id", LabelValue.flag("is_fraud"), Duration.ofDays(30),
                LabelRule.OnTimeout.NEGATIVE);
        fails("labels.time_field: 'when' is not a field of io.kingfisher.schemas.fraud.FraudLabel",
                () -> new Domain.Labels(FraudLabel.getClassSchema(), "card_id", "when", rule));
        fails("labels.time_field: 'card_id' must be a long",
                () -> new Domain.Labels(FraudLabel.getClassSchema(), "card_id", "card_id", rule));
        fails("labels.key_field: 'card' is not a field",
                () -> new Domain.Labels(FraudLabel.getClassSchema(), "card", "label_time", rule));
        fails("labels.rule.id_field: 'tx' is not a field", () -> new Domain.Labels(FraudLabel.getClassSchema(), "card_id",
                "label_time", new LabelRule.ByEventId("tx", LabelValue.flag("is_fraud"), Duration.ofDays(1), LabelRule.OnTimeout.NEGATIVE)));
        fails("labels.value.field: 'source' is enum, a flag label needs a boolean or a number",
                () -> new Domain.Labels(FraudLabel.getClassSchema(), "card_id", "label_time", new LabelRule.ByEventId(
                        "transaction_id", LabelValue.flag("source"), Duration.ofDays(1), LabelRule.OnTimeout.NEGATIVE)));
        fails("labels.value.positives: 'RECOVERED' is not a symbol", () -> new Domain.Labels(ClinicalOutcome.getClassSchema(),
                "patient_id", "event_time", new LabelRule.ByEntityWithin(LabelValue.oneOf("outcome", "RECOVERED"),
                        Duration.ofHours(12), LabelRule.OnTimeout.NEGATIVE)));
        fails("labels.key_field: a by-entity rule needs the label's entity field", () -> new Domain.Labels(
                ClinicalOutcome.getClassSchema(), null, "event_time", new LabelRule.ByEntityWithin(
                        LabelValue.oneOf("outcome", "DEATH"), Duration.ofHours(12), LabelRule.OnTimeout.NEGATIVE)));
        fails("labels.window: must be positive", () -> new LabelRule.ByEventId("x", LabelValue.presence(), Duration.ZERO,
                LabelRule.OnTimeout.NEGATIVE));
        fails("labels.on_timeout: required", () -> new LabelRule.ByEventId("x", LabelValue.presence(), Duration.ofHours(1), null));
        fails("labels.value: a by-entity rule needs a value that can say negative", () -> new LabelRule.ByEntityWithin(
                LabelValue.presence(), Duration.ofHours(1), LabelRule.OnTimeout.NEGATIVE));
        fails("labels.value.positives: name at least one positive value", () -> LabelValue.oneOf("outcome"));
        Domain.Labels fraud = new Domain.Labels(FraudLabel.getClassSchema(), "card_id", "label_time", rule);
        fails("labels.out_of_orderness: must be zero or positive", () -> fraud.withFeedbackTiming(Duration.ofMinutes(-1), null));
        fails("labels.provisional_negative_after: must be positive and shorter than the label window (PT720H)",
                () -> fraud.withFeedbackTiming(null, Duration.ofDays(30)));
        fails("labels.provisional_negative_after: must be positive", () -> fraud.withFeedbackTiming(null, Duration.ZERO));
        fails("labels.provisional_negative_after: must be positive and shorter than the label window (PT12H), for a rule "
                + "whose timeouts are negative", () -> new Domain.Labels(ClinicalOutcome.getClassSchema(), "patient_id",
                "event_time", new LabelRule.ByEntityWithin(LabelValue.oneOf("outcome", "DEATH"), Duration.ofHours(12),
                LabelRule.OnTimeout.UNLABELLED)).withFeedbackTiming(null, Duration.ofHours(1)));
        Domain.Labels timed = fraud.withFeedbackTiming(Duration.ZERO, Duration.ofDays(2));
        assertEquals(Duration.ZERO, timed.outOfOrderness());
        assertEquals(Duration.ofDays(2), timed.provisionalNegativeAfter());
        assertEquals(rule, timed.rule());
        fails("labels: domain 'fraud' must declare its labels", () -> withLabels(null));
    }

    @Test
    void outputErrorsNameTheKey() {
        fails("outputs.alert_threshold must be in (0, 1), was 1.5", () -> new Domain.Outputs(1.5, null));
        fails("outputs.clear_threshold must be in (0, alert_threshold = 0.5], was 0.7",
                () -> new Domain.Outputs(0.5, 0.7, "a.alerts", 0, null));
        fails("outputs.feed_topic is required when outputs.feed_size > 0", () -> new Domain.Outputs(0.5, 0.5, null, 10, null));
        fails("outputs.feed_size must be > 0 when outputs.feed_topic is set", () -> new Domain.Outputs(0.5, 0.5, null, 0, "feed"));
        fails("outputs.feed_size must be in [0, 1000], was 5000", () -> new Domain.Outputs(0.5, 0.5, null, 5000, "feed"));
        assertFalse(new Domain.Outputs(0.5, "x.alerts").hasHysteresis());
    }

    @Test
    void embeddedColumnsMustLeadTheFeatureVector() {
        Domain fraud = BuiltInDomains.fraud();
        Domain.ModelShape shape = new Domain.ModelShape(List.of(8), 1e-3, 0, 1,
                List.of(new Domain.ModelShape.Embedding("card_hash", 1024, 8)));
        fails("model.embeddings[0].column: 'card_hash' must be feature column 0, which is 'amount'",
                () -> new Domain(fraud.name(), fraud.eventSchema(), fraud.idField(), fraud.keyField(), fraud.timeField(),
                        fraud.features(), fraud.rules(), shape, fraud.labels(), fraud.outputs()));
        fails("model.embeddings.vocabulary of 'x' must be in", () -> new Domain.ModelShape.Embedding("x", 0, 8));
        fails("model.hidden must list positive layer widths", () -> new Domain.ModelShape(List.of(), 1e-3, 0, 1));
        fails("model.learning_rate must be finite and > 0", () -> new Domain.ModelShape(List.of(4), 0, 0, 1));
        // A spec whose first column is the embedded one is fine.
        FeatureSpec spec = FeatureSpec.of(FeatureDef.Numeric.of("amount", FeatureDef.Transform.NONE));
        Domain ok = new Domain("t", PaymentTransaction.getClassSchema(), "transaction_id", "card_id", "event_time", spec,
                List.of(), new Domain.ModelShape(List.of(4), 1e-3, 0, 1, List.of(new Domain.ModelShape.Embedding("amount", 16, 2))),
                fraud.labels(), fraud.outputs());
        assertFalse(ok.model().idEmbeddings().interactions());
    }

    private static Domain withLabels(Domain.Labels labels) {
        Domain f = BuiltInDomains.fraud();
        return new Domain(f.name(), f.eventSchema(), f.idField(), f.keyField(), f.timeField(), f.features(), f.rules(),
                f.model(), labels, f.outputs());
    }

    @Test
    void labelFeaturesNeedTheirKeyFieldInTheLabelSchemaAndReadLabelsAsInputs() {
        Domain f = BuiltInDomains.fraud();
        FeatureSpec spec = FeatureSpec.of(List.of(FeatureDef.Lookup.of("merchant", "frauds")), List.of(
                io.kingfisher.features.RelatedEntity.of("merchant", "merchant_id",
                                FeatureDef.Window.count("n", Duration.ofHours(1), Duration.ofMinutes(5)))
                        .withLabels("shop_id", FeatureDef.Window.of("frauds", "label", Duration.ofDays(7), Duration.ofDays(1),
                                FeatureDef.Agg.SUM))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Domain(f.name(), f.eventSchema(),
                f.idField(), f.keyField(), f.timeField(), spec, f.rules(), f.model(), f.labels(), f.outputs()));
        assertTrue(e.getMessage().startsWith("features.related.labels.key_field: 'shop_id' is not a field"), e.getMessage());

        assertEquals(List.of("merchant_id"), f.features().labelTextInputs());
        FraudLabel label = FraudLabel.newBuilder().setTransactionId("tx-1").setCardId("card-1").setIsFraud(true)
                .setSource(LabelSource.CHARGEBACK).setLabelTime(1234L).setMerchantId("m-1").build();
        io.kingfisher.features.InputEvent in = io.kingfisher.jobs.LabelFeatureDecodeFunction.toInput(f.labels(), f.features(), label, 99L);
        assertEquals("tx-1", in.eventId);
        assertEquals(1234L, in.eventTime, "at the time it became known");
        assertEquals(99L, in.ingestTime);
        assertEquals(List.of(1.0), java.util.Arrays.stream(in.numbers).boxed().toList());
        assertEquals(List.of("m-1"), List.of(in.texts));
        label.setIsFraud(false);
        assertEquals(0.0, io.kingfisher.jobs.LabelFeatureDecodeFunction.toInput(f.labels(), f.features(), label, 99L).numbers[0]);
    }
}
