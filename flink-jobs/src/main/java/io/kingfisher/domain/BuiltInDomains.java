package io.kingfisher.domain;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.NumericRule;
import io.kingfisher.schemas.fraud.PaymentTransaction;
import io.kingfisher.schemas.topic.Topics;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The domains Kingfisher ships with. Each is a small declaration; the pipeline code is shared. */
public final class BuiltInDomains {
    private BuiltInDomains() {
    }

    /** Card payments keyed by card: velocity, amount against the card's habit, country, channel, merchant type, hour. */
    public static Domain fraud() {
        FeatureSpec features = FeatureSpec.of(
                FeatureDef.Numeric.of("amount", Transform.LOG1P),
                new FeatureDef.EwmaRatio("amount_vs_card_avg", "amount", Duration.ofDays(14)),
                new FeatureDef.DecayedCount("card_txn_1h", Duration.ofHours(1)),
                new FeatureDef.DecayedCount("card_txn_1d", Duration.ofDays(1)),
                new FeatureDef.TimeSinceLast("since_last_txn", Duration.ofDays(30)),
                new FeatureDef.DiffersFromFirst("foreign_country", "country"),
                new FeatureDef.OneHot("channel", "channel", List.of("CHIP", "CONTACTLESS", "ONLINE", "MOTO")),
                new FeatureDef.OneHot("mcc", "merchant_category", List.of("5411", "5812", "5541", "5732", "4829", "5967", "7995")),
                new FeatureDef.HourOfDay("hour"));
        return new Domain("fraud", PaymentTransaction.getClassSchema(), "transaction_id", "card_id", "event_time",
                features,
                List.of(NumericRule.required("amount", 0.0, 1.0e9)),
                new Domain.ModelShape(List.of(32, 16), 1e-3, 1e-5, 4),
                new Domain.Outputs(0.5, Topics.FRAUD_ALERTS));
    }

    /** Looks a built-in domain up by name; the error lists the known ones. */
    public static Domain byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fraud" -> fraud();
            default -> throw new IllegalArgumentException("unknown domain '" + name + "'; built in: fraud");
        };
    }
}
