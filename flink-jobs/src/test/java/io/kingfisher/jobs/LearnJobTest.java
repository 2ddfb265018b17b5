package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.config.ConfigException;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.feedback.JoinRule;
import io.kingfisher.feedback.LabelEvent;
import io.kingfisher.schemas.fraud.FraudLabel;
import io.kingfisher.schemas.fraud.LabelSource;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the learning job reads each domain's label rule and labels, and refuses bad settings at start-up. */
class LearnJobTest {

    private static Config config(Map<String, String> overrides) {
        Map<String, String> m = new HashMap<>(overrides);
        m.put(JobSettings.BOOTSTRAP.key(), "localhost:9092");
        m.put(JobSettings.REGISTRY_URL.key(), "http://localhost:8081");
        return Config.of(m, JobSettings.ALL);
    }

    @Test
    void eachDomainsRuleBecomesAJoinRule() {
        JoinRule fraud = LearnJob.joinRule(BuiltInDomains.byName("fraud"), config(Map.of()));
        assertEquals(JoinRule.Mode.BY_EVENT_ID, fraud.mode());
        assertEquals(Duration.ofDays(30), fraud.window());
        assertEquals(Duration.ofDays(1), fraud.provisionalNegativeAfter(), "30-day chargebacks: provisional negatives");

        JoinRule clicks = LearnJob.joinRule(BuiltInDomains.byName("clicks"), config(Map.of()));
        assertEquals(JoinRule.Mode.BY_EVENT_ID, clicks.mode());
        assertNull(clicks.provisionalNegativeAfter(), "a 30-minute window waits for its timeouts");
        assertEquals(Duration.ofMinutes(10), LearnJob.joinRule(BuiltInDomains.byName("clicks"),
                config(Map.of("feedback.provisional_negative_after", "10m"))).provisionalNegativeAfter(),
                "the job's setting applies to a window longer than it");

        JoinRule clinical = LearnJob.joinRule(BuiltInDomains.byName("clinical"),
                config(Map.of("feedback.late_labels", "drop")));
        assertEquals(JoinRule.Mode.BY_ENTITY_WITHIN, clinical.mode());
        assertEquals(Duration.ofHours(12), clinical.window());
        assertEquals(JoinRule.LateLabels.DROP, clinical.lateLabels());

        JoinRule off = LearnJob.joinRule(BuiltInDomains.byName("fraud"),
                config(Map.of("feedback.provisional_negative_after", "0s")));
        assertNull(off.provisionalNegativeAfter());
    }

    @Test
    void aDomainsProvisionalDelayAndLagAreUsedUnlessTheJobSetsItsOwn() {
        io.kingfisher.domain.Domain f = BuiltInDomains.fraud();
        io.kingfisher.domain.Domain timed = new io.kingfisher.domain.Domain(f.name(), f.eventSchema(), f.idField(),
                f.keyField(), f.timeField(), f.features(), f.rules(), f.model(),
                f.labels().withFeedbackTiming(Duration.ofMinutes(10), Duration.ofHours(6)), f.outputs());
        assertEquals(Duration.ofHours(6), LearnJob.joinRule(timed, config(Map.of())).provisionalNegativeAfter());
        assertEquals(Duration.ofDays(2), LearnJob.joinRule(timed,
                config(Map.of("feedback.provisional_negative_after", "2d"))).provisionalNegativeAfter());
        assertNull(LearnJob.joinRule(timed, config(Map.of("feedback.provisional_negative_after", "0s")))
                .provisionalNegativeAfter(), "0 turns them off whatever the domain says");
        assertEquals(Duration.ofMinutes(10), LearnJob.outOfOrderness(timed, config(Map.of())));
    }

    @Test
    void theJoinsWatermarksLagByTheDomainsOutOfOrdernessElseItsFeaturesAllowedLateness() {
        assertEquals(Duration.ofHours(1), LearnJob.outOfOrderness(BuiltInDomains.byName("fraud"), config(Map.of())),
                "fraud says nothing: every payment the features accepted (up to an hour late) is joined in order");
        assertEquals(BuiltInDomains.byName("fraud").features().allowedLateness(),
                LearnJob.outOfOrderness(BuiltInDomains.byName("fraud"), config(Map.of())));
        assertEquals(Duration.ofMinutes(1), LearnJob.outOfOrderness(BuiltInDomains.byName("clicks"), config(Map.of())));
        assertEquals(Duration.ofSeconds(30), LearnJob.outOfOrderness(BuiltInDomains.byName("clicks"),
                config(Map.of("feedback.out_of_orderness", "30s"))), "the job's setting overrides the domain's");
    }

    @Test
    void aLabelIsReadAsItsDomainsRuleSays() {
        var labels = BuiltInDomains.byName("fraud").labels();
        FraudLabel fraud = FraudLabel.newBuilder().setTransactionId("tx-9").setCardId("card-1").setIsFraud(true)
                .setSource(LabelSource.CHARGEBACK).setLabelTime(5_000L).build();
        GenericRecord rec = (GenericRecord) GenericData.get().deepCopy(fraud.getSchema(), fraud);
        LabelEvent l = LabelDecodeFunction.toLabel(labels, rec, 7_000L);
        assertEquals("tx-9", l.joinKey);
        assertEquals(5_000L, l.labelTime);
        assertTrue(l.positive);
        assertEquals(7_000L, l.ingestTime);

        rec.put("is_fraud", false);
        assertFalse(LabelDecodeFunction.toLabel(labels, rec, 7_000L).positive);
        rec.put("transaction_id", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelDecodeFunction.toLabel(labels, rec, 7_000L));
        assertTrue(e.getMessage().contains("transaction_id"), e.getMessage());
    }

    @Test
    void aBadLearningSettingFailsAtStartNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> config(Map.of("learning.batch_size", "0")));
        assertTrue(e.getMessage().contains("learning.batch_size"), e.getMessage());
        ConfigException action = assertThrows(ConfigException.class, () -> config(Map.of("learning.drift.action", "panic")));
        assertTrue(action.getMessage().contains("learning.drift.action"), action.getMessage());
    }
}
