package io.kingfisher.domain;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Lookup;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureDef.Window;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.NumericRule;
import io.kingfisher.features.RelatedEntity;
import io.kingfisher.schemas.clicks.ClickEvent;
import io.kingfisher.schemas.clinical.ClinicalOutcome;
import io.kingfisher.schemas.clinical.VitalSignObservation;
import io.kingfisher.schemas.fraud.FraudLabel;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import io.kingfisher.schemas.topic.Topics;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The domains Kingfisher ships with. Each is a small declaration; the pipeline code is shared. */
public final class BuiltInDomains {
    /** Names of the built-in domains, in the order the command line lists them. */
    public static final List<String> NAMES = List.of("fraud", "clicks", "clinical");

    /** How long a card payment waits for a chargeback or fraud report before it counts as genuine. */
    public static final Duration FRAUD_LABEL_WINDOW = Duration.ofDays(30);
    /** The clicks attribution window: a click later than this after its impression does not count. */
    public static final Duration CLICK_ATTRIBUTION_WINDOW = Duration.ofMinutes(30);
    /**
     * How late an impression or a click may reach the learning job and still be joined in order. Impressions are
     * logged as they are served and clicks seconds later, so a minute is generous; the features' allowed lateness
     * (an hour) held every click's default negative back an hour more, 12 s of wall time at the demo's 300x.
     * Clicks declares no provisional negatives: with negatives after 5 minutes (corrected by a later click), the
     * gate refused three to twelve times as many candidates, some as no better than chance (docs/design-notes.md).
     */
    public static final Duration CLICK_OUT_OF_ORDERNESS = Duration.ofMinutes(1);
    /** The clinical horizon: an observation is positive when the patient deteriorates within this long after it. */
    public static final Duration DETERIORATION_HORIZON = Duration.ofHours(12);
    /**
     * Fraud's and clinical's learner windows hold 20,000 examples (clicks' the shared 5,000): the gate needs
     * positives in its window, and 5,000 fraud examples hold about ten (0.2% of examples), while clinical's come a
     * patient at a time, so 5,000 examples (under a day of a small ward) often held none. The gate then refused every
     * candidate and labels waited for a serving model: fraud p99 12.5 s against 8.5 s at 20,000 in the same
     * hour; clinical labels still waiting after 19.4 s at the end of a run against 1.6 s (docs/benchmarks.md).
     * Clicks, with a click rate of 4-5%, gained less at 20,000 (its tuning and rollback share the window).
     * Clinical fine-tuned at a tenth, then a hundredth, of the shared rate while its windows held 5,000: the gate
     * judged candidates on a patient or two, and at the shared 0.3 refused most of them. With 20,000 it fine-tunes
     * at the shared rate again and gains more than at 0.1 (+0.013 to +0.016 against +0.009 to +0.011 after the
     * drift, freshness p99 5.1-6.3 s against 4.5-5.1 s).
     */
    public static final int RARE_POSITIVES_LEARNING_WINDOW = 20_000;

    private BuiltInDomains() {
    }

    /**
     * Card payments keyed by card: velocity, amount against the card's habit, country, channel, merchant type,
     * hour; and of the payment's merchant (a related entity keyed by {@code merchant_id}): its payments in the hour
     * and its mean amount over the day before (as of the payment's time bucket), and the payment's amount against
     * that mean; and, from the labels filed against the merchant (their {@code merchant_id}), the frauds that became
     * known in the last 7 days, its payments in those days, and their ratio, the merchant's recent fraud rate (all as
     * of the day before the payment's). Labels are {@code FraudLabel}s naming the transaction (chargebacks days later, fraud reports sooner);
     * a payment without one after {@link #FRAUD_LABEL_WINDOW} is genuine. Alerts at 0.5, no hysteresis (each
     * payment is its own decision).
     */
    public static Domain fraud() {
        RelatedEntity merchant = RelatedEntity.of("merchant", "merchant_id",
                        Window.count("txn_1h", Duration.ofHours(1), Duration.ofMinutes(5)),
                        new Window("amount_1d", "amount", Duration.ofDays(1), Duration.ofHours(1), List.of(Agg.MEAN), Transform.LOG1P),
                        new Window("txn_7d", null, Duration.ofDays(7), Duration.ofDays(1), List.of(Agg.COUNT), Transform.NONE))
                .withLabels("merchant_id",
                        new Window("frauds_7d", RelatedEntity.LABEL_FIELD, Duration.ofDays(7), Duration.ofDays(1), List.of(Agg.SUM),
                                Transform.NONE));
        FeatureSpec features = FeatureSpec.of(List.of(
                FeatureDef.Numeric.of("amount", Transform.LOG1P),
                new FeatureDef.EwmaRatio("amount_vs_card_avg", "amount", Duration.ofDays(14)),
                new FeatureDef.DecayedCount("card_txn_1h", Duration.ofHours(1)),
                new FeatureDef.DecayedCount("card_txn_1d", Duration.ofDays(1)),
                new FeatureDef.TimeSinceLast("since_last_txn", Duration.ofDays(30)),
                new FeatureDef.DiffersFromFirst("foreign_country", "country"),
                new FeatureDef.OneHot("channel", "channel", List.of("CHIP", "CONTACTLESS", "ONLINE", "MOTO")),
                new FeatureDef.OneHot("mcc", "merchant_category", List.of("5411", "5812", "5541", "5732", "4829", "5967", "7995")),
                new FeatureDef.HourOfDay("hour"),
                Lookup.of("merchant", "txn_1h"),
                Lookup.of("merchant", "amount_1d"),
                // both log1p-scaled: the log of (1 + amount) over (1 + the merchant's mean amount)
                new FeatureDef.Difference("amount_vs_merchant", "amount", "merchant.amount_1d"),
                Lookup.of("merchant", "frauds_7d"),
                Lookup.of("merchant", "txn_7d"),
                new FeatureDef.Ratio("merchant_fraud_rate", "merchant.frauds_7d", "merchant.txn_7d")), List.of(merchant));
        return new Domain("fraud", PaymentTransaction.getClassSchema(), "transaction_id", "card_id", "event_time",
                features,
                List.of(NumericRule.required("amount", 0.0, 1.0e9)),
                new Domain.ModelShape(List.of(32, 16), 1e-3, 1e-5, 4).withLearningWindow(RARE_POSITIVES_LEARNING_WINDOW),
                new Domain.Labels(FraudLabel.getClassSchema(), "card_id", "label_time",
                        new LabelRule.ByEventId("transaction_id", LabelValue.flag("is_fraud"), FRAUD_LABEL_WINDOW,
                                LabelRule.OnTimeout.NEGATIVE)),
                new Domain.Outputs(0.5, Topics.FRAUD_ALERTS));
    }

    /**
     * Impressions keyed by user; the model embeds the user and the item (hashed ids, the first two feature
     * columns: users in 8192 buckets, items in 2048, 16 wide, with their dot product) in front of a small MLP
     * that also sees the slot, the surface, the user's recent activity and the hour. No related-entity features:
     * the item's recent impressions and mean slot did not raise the warm start's AUC, cost a quarter to two fifths
     * of the feature path's throughput, and left the online learner no gain over the frozen model after the
     * simulated drift (see docs/design-notes.md). Labels are the clicks
     * ({@code ClickEvent}s of type CLICK) naming their impression; an impression without a click after
     * {@link #CLICK_ATTRIBUTION_WINDOW} is a negative. Output: the top 10 items per user to {@code recs.feed}.
     */
    public static Domain clicks() {
        FeatureSpec features = FeatureSpec.of(
                new FeatureDef.Numeric("user_hash", "user_hash", Transform.NONE, 0.0, false),
                new FeatureDef.Numeric("item_hash", "item_hash", Transform.NONE, 0.0, false),
                FeatureDef.Numeric.of("position", Transform.NONE),
                new FeatureDef.OneHot("surface", "surface", List.of("feed", "search", "related")),
                new FeatureDef.DecayedCount("user_impressions_10m", Duration.ofMinutes(10)),
                new FeatureDef.DecayedCount("user_impressions_1d", Duration.ofDays(1)),
                new FeatureDef.TimeSinceLast("since_last_impression", Duration.ofDays(7)),
                new FeatureDef.HourOfDay("hour"));
        return new Domain("clicks", ClickEvent.getClassSchema(), "event_id", "user_id", "event_time",
                features,
                List.of(),
                new Domain.ModelShape(List.of(32, 16), 3e-3, 1e-6, 4, List.of(
                        new Domain.ModelShape.Embedding("user_hash", 8192, 16),
                        new Domain.ModelShape.Embedding("item_hash", 2048, 16))),
                new Domain.Labels(ClickEvent.getClassSchema(), "user_id", "event_time",
                        new LabelRule.ByEventId("impression_id", LabelValue.presence(), CLICK_ATTRIBUTION_WINDOW,
                                LabelRule.OnTimeout.NEGATIVE))
                        .withFeedbackTiming(CLICK_OUT_OF_ORDERNESS, null),
                new Domain.Outputs(0.5, 0.5, null, 10, Topics.RECS_FEED));
    }

    /**
     * Vital-sign observations keyed by patient: each vital as measured (imputed with a normal value when missing,
     * with a missing flag), consciousness (ACVPU), supplemental oxygen, each vital against the patient's own
     * recent average, how often the patient is being observed, and the hour. No features of the ward ({@code ward_id}
     * would key one): with a handful of wards its aggregates mostly told the model which ward and when, and the warm
     * start scored fresh observations worse with them (see docs/design-notes.md). Labels are {@code ClinicalOutcome}s
     * of the patient: an ICU transfer, cardiac arrest or death labels the patient's observations of the
     * {@link #DETERIORATION_HORIZON} before it positive; a discharge settles the waiting ones as negative.
     * Alerts raise at 0.2 and clear below 0.1 (hysteresis), to {@code clinical.alerts}.
     */
    public static Domain clinical() {
        FeatureSpec features = FeatureSpec.of(
                new FeatureDef.Numeric("heart_rate", "heart_rate", Transform.NONE, 80.0, true),
                new FeatureDef.Numeric("respiratory_rate", "respiratory_rate", Transform.NONE, 16.0, true),
                new FeatureDef.Numeric("spo2", "spo2", Transform.NONE, 96.0, true),
                new FeatureDef.Numeric("temperature", "temperature", Transform.NONE, 37.0, true),
                new FeatureDef.Numeric("systolic_bp", "systolic_bp", Transform.NONE, 125.0, true),
                new FeatureDef.OneHot("consciousness", "consciousness", List.of("ALERT", "CONFUSED", "VOICE", "PAIN", "UNRESPONSIVE")),
                new FeatureDef.OneHot("on_oxygen", "on_oxygen", List.of("true")),
                new FeatureDef.EwmaRatio("hr_vs_own_avg", "heart_rate", Duration.ofHours(12)),
                new FeatureDef.EwmaRatio("rr_vs_own_avg", "respiratory_rate", Duration.ofHours(12)),
                new FeatureDef.EwmaRatio("spo2_vs_own_avg", "spo2", Duration.ofHours(12)),
                new FeatureDef.EwmaRatio("sbp_vs_own_avg", "systolic_bp", Duration.ofHours(12)),
                new FeatureDef.DecayedCount("observations_4h", Duration.ofHours(4)),
                new FeatureDef.TimeSinceLast("since_last_observation", Duration.ofDays(1)),
                new FeatureDef.HourOfDay("hour"));
        return new Domain("clinical", VitalSignObservation.getClassSchema(), "observation_id", "patient_id", "event_time",
                features,
                List.of(NumericRule.optional("heart_rate", 0, 300),
                        NumericRule.optional("respiratory_rate", 0, 80),
                        NumericRule.optional("spo2", 0, 100),
                        NumericRule.optional("temperature", 25, 45),
                        NumericRule.optional("systolic_bp", 0, 300)),
                new Domain.ModelShape(List.of(32, 16), 1e-3, 1e-5, 4).withLearningWindow(RARE_POSITIVES_LEARNING_WINDOW),
                new Domain.Labels(ClinicalOutcome.getClassSchema(), "patient_id", "event_time",
                        new LabelRule.ByEntityWithin(LabelValue.oneOf("outcome", "ICU_TRANSFER", "CARDIAC_ARREST", "DEATH"),
                                DETERIORATION_HORIZON, LabelRule.OnTimeout.NEGATIVE)),
                new Domain.Outputs(0.2, 0.1, Topics.CLINICAL_ALERTS, 0, null));
    }

    /** Looks a built-in domain up by name; the error lists the known ones. */
    public static Domain byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fraud" -> fraud();
            case "clicks" -> clicks();
            case "clinical" -> clinical();
            default -> throw new IllegalArgumentException("unknown domain '" + name + "'; built in: " + String.join(", ", NAMES));
        };
    }
}
