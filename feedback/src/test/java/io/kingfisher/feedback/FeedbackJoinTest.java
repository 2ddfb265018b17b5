package io.kingfisher.feedback;

import io.kingfisher.feedback.JoinRule.LateLabels;
import io.kingfisher.feedback.JoinRule.OnTimeout;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.core.TrainingExample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.kingfisher.feedback.Fixtures.label;
import static io.kingfisher.feedback.Fixtures.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedbackJoinTest {
    private static final long H = 3_600_000L;
    private static final long D = 24 * H;
    private static final Duration WINDOW = Duration.ofDays(1);
    private static final Duration RETENTION = Duration.ofDays(1);
    private static final long FAR = 100 * D;

    private static Driver byEventId(OnTimeout onTimeout, LateLabels late) {
        return new Driver(JoinRule.byEventId(WINDOW, onTimeout, late), RETENTION);
    }

    private static Driver byEntity(OnTimeout onTimeout, LateLabels late) {
        return new Driver(JoinRule.byEntityWithin(WINDOW, onTimeout, late), RETENTION);
    }

    private static void assertEndsEmpty(Driver d) {
        d.advance(FAR);
        assertTrue(d.empty(), () -> "state left: " + d.states);
    }

    @Test
    void retentionMustNotBeNegative() {
        JoinRule rule = JoinRule.byEventId(WINDOW, OnTimeout.NEGATIVE, LateLabels.DROP);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new FeedbackJoin(rule, Duration.ofMillis(-1)))
                .getMessage().startsWith("retention:"));
        assertEquals(Duration.ZERO, new FeedbackJoin(rule, Duration.ZERO).retention());
    }

    // ---- by event id

    @Test
    void aLabelAfterItsScoreEmitsAnExampleCopiedFromTheScore() {
        Driver d = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        Score s = score("e1", "card", 1000);
        d.score(s).advance(H).label(label("e1", 2 * H, true).at(3, 42L));

        assertEquals(1, d.examples.size());
        TrainingExample x = d.examples.get(0);
        assertEquals("e1", x.getEventId());
        assertEquals(s.getDomain(), x.getDomain());
        assertEquals(s.getEntity(), x.getEntity());
        assertEquals(s.getEventTime(), x.getEventTime());
        assertEquals(s.getScore(), x.getScore());
        assertEquals(s.getModelVersion(), x.getModelVersion());
        assertEquals(s.getFeatureSpecHash(), x.getFeatureSpecHash());
        assertEquals(s.getFeatures(), x.getFeatures());
        assertEquals(1.0, x.getLabel());
        assertEquals(FeedbackJoin.LABEL, x.getLabelSource());
        assertEquals(2 * H, x.getLabelTime());
        assertEquals(2 * H + 3, x.getLabelIngestTime());
        assertEquals(s.getIngestTime(), x.getScoreIngestTime());
        assertEquals(3, x.getLabelPartition(), "the label record's position travels with the example");
        assertEquals(42L, x.getLabelOffset());

        assertEndsEmpty(d);
        assertEquals(1, d.examples.size(), "nothing more when the window closes");
        assertTrue(d.dropped.isEmpty(), d.dropped.toString());
    }

    @Test
    void aLabelThatOvertakesItsScoreIsHeldAndJoinedWhenTheScoreComes() {
        Driver d = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.label(label("e1", 2 * H, false)).advance(3 * H);
        assertTrue(d.examples.isEmpty());
        d.score(score("e1", "card", H));
        assertEquals(List.of("e1:label:0"), d.sources());
        assertEquals(2 * H + 3, d.examples.get(0).getLabelIngestTime());
        assertEndsEmpty(d);
        assertEquals(1, d.examples.size());
        assertTrue(d.dropped.isEmpty(), d.dropped.toString());
    }

    @Test
    void aLabelWhoseScoreNeverComesIsUnmatchedWhenItExpires() {
        Driver d = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.label(label("e9", H, true)).advance(H + D - 1);
        assertTrue(d.dropped.isEmpty());
        d.advance(H + D);
        assertEquals(1, d.dropped.size());
        DroppedLabel dl = d.dropped.get(0);
        assertEquals(DroppedLabel.Kind.UNMATCHED, dl.kind);
        assertEquals("e9", dl.label.joinKey);
        assertTrue(dl.reason.contains("e9") && dl.reason.contains("PT24H"), dl.reason);
        assertTrue(d.empty());
    }

    @Test
    void aScoreWithoutALabelTimesOutNegativeAtTheEndOfItsWindow() {
        Driver d = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.score(score("e1", "card", 0)).advance(D - 1);
        assertTrue(d.examples.isEmpty());
        d.now = 777L;
        d.advance(D);
        assertEquals(List.of("e1:timeout:0"), d.sources());
        assertEquals(D, d.examples.get(0).getLabelTime());
        assertEquals(777L, d.examples.get(0).getLabelIngestTime(), "a timeout's label arrives when it is emitted");
        assertEquals(5L, d.examples.get(0).getScoreIngestTime());
        assertEquals(-1, d.examples.get(0).getLabelPartition(), "no label record settled it");
        assertEquals(-1L, d.examples.get(0).getLabelOffset());
        assertEndsEmpty(d);
        assertEquals(1, d.examples.size());
    }

    @Test
    void aScoreWithoutALabelUnderUnlabelledEmitsNothingAndIsCounted() {
        Driver d = byEventId(OnTimeout.UNLABELLED, LateLabels.CORRECT);
        d.score(score("e1", "card", 0)).score(score("e2", "card", H)).advance(D + H);
        assertTrue(d.examples.isEmpty());
        assertEquals(2, d.unlabelledTimeouts);
        assertEquals(List.of(), d.dropped);
        assertEndsEmpty(d);
    }

    @Test
    void aProvisionalNegativeIsCorrectedByAPositiveInTheWindowAndStandsOtherwise() {
        JoinRule rule = new JoinRule(JoinRule.Mode.BY_EVENT_ID, Duration.ofDays(30), OnTimeout.NEGATIVE, Duration.ofDays(2),
                LateLabels.DROP);
        Driver d = new Driver(rule, RETENTION);
        d.score(score("pos", "card", 0)).score(score("neg", "card", 0)).score(score("none", "card", 0));
        d.now = 9L;
        d.advance(2 * D - 1);
        assertTrue(d.examples.isEmpty());
        d.advance(2 * D);
        assertEquals(List.of("neg:provisional:0", "none:provisional:0", "pos:provisional:0"), d.sources().stream().sorted().toList());
        assertEquals(2 * D, d.examples.get(0).getLabelTime());
        assertEquals(9L, d.examples.get(0).getLabelIngestTime());

        d.advance(10 * D).label(label("pos", 10 * D, true)).label(label("neg", 10 * D, false));
        assertEquals("pos:correction:1", d.sources().get(3));
        assertEquals(10 * D, d.examples.get(3).getLabelTime());
        assertEquals(4, d.examples.size(), "a negative label agrees with the provisional negative: nothing more");

        d.advance(30 * D);
        assertEquals(4, d.examples.size(), "the window closing adds nothing to a provisional negative");
        assertEquals(0, d.unlabelledTimeouts);
        assertTrue(d.dropped.isEmpty(), d.dropped.toString());
        assertEndsEmpty(d);
    }

    @Test
    void aProvisionalNegativeIsEmittedEvenIfTheWatermarkJumpsPastTheWholeWindow() {
        Driver d = new Driver(JoinRule.byEventId(WINDOW, OnTimeout.NEGATIVE, LateLabels.CORRECT)
                .withProvisionalNegativeAfter(Duration.ofHours(1)), RETENTION);
        d.score(score("e1", "card", 0)).advance(FAR);
        assertEquals(List.of("e1:provisional:0"), d.sources(), "the outcome does not depend on how the watermark moves");
        assertTrue(d.empty());
    }

    @Test
    void aLateLabelUnderCorrectEmitsOneCorrectionWhenItContradicts() {
        Driver d = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.score(score("e1", "card", 0)).score(score("e2", "card", 0)).advance(D + H);
        assertEquals(List.of("e1:timeout:0", "e2:timeout:0"), d.sources());
        d.label(label("e1", D - H, true));        // in the window, but came after it closed
        d.label(label("e2", 10 * D, true));       // a chargeback long after the window
        assertEquals(List.of("e1:timeout:0", "e2:timeout:0", "e1:correction:1", "e2:correction:1"), d.sources());
        assertEquals(D - H + 3, d.examples.get(2).getLabelIngestTime());
        assertEquals(2, d.lateLabels);

        d.label(label("e1", D - 2 * H, false));   // would have come first too, but one correction per score
        assertEquals(4, d.examples.size());
        assertEquals(1, d.dropped.size());
        assertEquals(DroppedLabel.Kind.LATE, d.dropped.get(0).kind);
        assertTrue(d.dropped.get(0).reason.contains("corrected once"), d.dropped.get(0).reason);
        assertEndsEmpty(d);
        assertEquals(4, d.examples.size());
        assertEquals(1, d.dropped.size(), "a reported label is not reported again when it expires");
    }

    @Test
    void aLateLabelThatAgreesOrFindsAnUnlabelledScoreGoesToTheSideOutput() {
        Driver negative = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        negative.score(score("e1", "card", 0)).advance(D).label(label("e1", 2 * D, false));
        assertEquals(List.of("e1:timeout:0"), negative.sources());
        assertEquals(DroppedLabel.Kind.LATE, negative.dropped.get(0).kind);
        assertTrue(negative.dropped.get(0).reason.contains("nothing to correct"), negative.dropped.get(0).reason);

        Driver unlabelled = byEventId(OnTimeout.UNLABELLED, LateLabels.CORRECT);
        unlabelled.score(score("e1", "card", 0)).advance(D).label(label("e1", 2 * D, true));
        assertTrue(unlabelled.examples.isEmpty());
        assertTrue(unlabelled.dropped.get(0).reason.contains("unlabelled"), unlabelled.dropped.get(0).reason);
        assertEquals(1, unlabelled.lateLabels);
        assertEndsEmpty(negative);
        assertEndsEmpty(unlabelled);
    }

    @Test
    void aLateLabelUnderDropChangesNothingAndIsReported() {
        Driver d = byEventId(OnTimeout.NEGATIVE, LateLabels.DROP);
        d.score(score("e1", "card", 0)).advance(D).label(label("e1", D - H, true));
        assertEquals(List.of("e1:timeout:0"), d.sources());
        assertEquals(1, d.lateLabels);
        assertEquals(1, d.dropped.size());
        DroppedLabel dl = d.dropped.get(0);
        assertEquals(DroppedLabel.Kind.LATE, dl.kind);
        assertTrue(dl.reason.contains("e1") && dl.reason.contains("dropped"), dl.reason);
        assertNull(d.state("e1").score("e1").score, "under DROP a settled score keeps no features");
        assertEndsEmpty(d);
        assertEquals(1, d.dropped.size());
    }

    @Test
    void aLabelBeyondTheWindowOfAWaitingScoreIsJudgedLateWhenTheWindowCloses() {
        Driver correct = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        correct.score(score("e1", "card", 0)).label(label("e1", D + H, true));   // the labels stream runs ahead
        assertTrue(correct.examples.isEmpty());
        correct.advance(D);
        assertEquals(List.of("e1:timeout:0", "e1:correction:1"), correct.sources());
        assertEquals(1, correct.lateLabels);
        assertEndsEmpty(correct);
        assertTrue(correct.dropped.isEmpty(), "used, so neither late nor unmatched: " + correct.dropped);

        Driver drop = byEventId(OnTimeout.NEGATIVE, LateLabels.DROP);
        drop.score(score("e1", "card", 0)).label(label("e1", D + H, true)).advance(D);
        assertEquals(List.of("e1:timeout:0"), drop.sources());
        assertEquals(List.of(DroppedLabel.Kind.LATE), drop.dropped.stream().map(x -> x.kind).toList());
        assertEndsEmpty(drop);
        assertEquals(1, drop.dropped.size());
    }

    @Test
    void duplicateScoresAndLabelsAreDroppedAndCounted() {
        Driver d = new Driver(JoinRule.byEventId(WINDOW, OnTimeout.NEGATIVE, LateLabels.CORRECT), Duration.ofDays(3));
        d.label(label("e1", H, true)).label(label("e1", H, true));             // replayed before the score
        d.score(score("e1", "card", 0)).score(score("e1", "card", 0));         // replayed score
        d.label(new LabelEvent("e1", H, true, 99));                            // same time and value, other ingest time
        assertEquals(List.of("e1:label:1"), d.sources());
        assertEquals(1, d.duplicateScores);
        assertEquals(2, d.duplicateLabels);

        d.advance(H + D);                                                      // the held label expires; the score is remembered
        assertNotNull(d.state("e1").score("e1"));
        d.label(label("e1", H, true)).score(score("e1", "card", 0));
        assertEquals(3, d.duplicateLabels);
        assertEquals(2, d.duplicateScores);
        assertEquals(1, d.examples.size());
        assertTrue(d.dropped.isEmpty(), d.dropped.toString());
        assertEndsEmpty(d);
    }

    @Test
    void theEarliestLabelWinsWhateverTheOrderTheyArriveIn() {
        Driver after = byEventId(OnTimeout.NEGATIVE, LateLabels.DROP);
        after.score(score("e1", "card", 0)).label(label("e1", H, true)).label(label("e1", 2 * H, false));
        assertEquals(List.of("e1:label:1"), after.sources());
        assertEquals(DroppedLabel.Kind.SUPERSEDED, after.dropped.get(0).kind);
        assertTrue(after.dropped.get(0).reason.contains("earlier label"), after.dropped.get(0).reason);

        Driver before = byEventId(OnTimeout.NEGATIVE, LateLabels.DROP);
        before.label(label("e1", 2 * H, false)).label(label("e1", H, true)).score(score("e1", "card", 0));
        assertEquals(List.of("e1:label:1"), before.sources());
        before.advance(FAR);
        assertEquals(List.of(DroppedLabel.Kind.SUPERSEDED), before.dropped.stream().map(x -> x.kind).toList());
        assertEquals(2 * H, before.dropped.get(0).label.labelTime);
        assertTrue(before.empty());
        assertEndsEmpty(after);
    }

    @Test
    void settledScoresKeepTheirFeaturesOnlyWhileACorrectionCanStillCome() {
        Driver d = byEventId(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.score(score("e1", "card", 0)).advance(D);
        assertNotNull(d.state("e1").score("e1").score, "a late label may still correct it");
        d.label(label("e1", 2 * D, true));
        assertNull(d.state("e1").score("e1").score, "corrected once: nothing more can come");
        assertEndsEmpty(d);
    }

    // ---- by entity

    @Test
    void aPositiveOutcomeLabelsTheEntitysScoresInTheWindowBeforeIt() {
        Driver d = byEntity(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.score(score("a", "p1", 0)).score(score("b", "p1", 10 * H)).score(score("c", "p1", 30 * H))
                .score(score("x", "p2", 10 * H)).advance(20 * H);
        d.label(label("p1", 26 * H, true));
        assertEquals(List.of("b:label:1"), d.sources(), "a is older than the window before the outcome, c after it");
        d.advance(FAR);
        assertEquals(List.of("b:label:1", "a:timeout:0", "x:timeout:0", "c:timeout:0"), d.sources());
        assertTrue(d.dropped.isEmpty(), d.dropped.toString());
        assertTrue(d.empty());
    }

    @Test
    void aNegativeOutcomeSettlesTheWaitingScoresBeforeItAtOnce() {
        Driver d = byEntity(OnTimeout.UNLABELLED, LateLabels.CORRECT);
        d.score(score("a", "p1", 0)).score(score("b", "p1", 5 * H)).score(score("c", "p1", 8 * H));
        d.label(label("p1", 6 * H, false));
        assertEquals(List.of("a:label:0", "b:label:0"), d.sources());
        assertEquals(6 * H, d.examples.get(0).getLabelTime());
        d.label(label("p1", 20 * H, true));
        assertEquals(List.of("a:label:0", "b:label:0", "c:label:1"), d.sources());
        assertEndsEmpty(d);
        assertEquals(0, d.unlabelledTimeouts);
        assertTrue(d.dropped.isEmpty(), "the positive also covers a and b, which the earlier discharge settled, but it labelled c");
    }

    @Test
    void outcomesThatOvertakeTheScoresLabelThemWhenTheyCome() {
        Driver d = byEntity(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.label(label("p1", 10 * H, true)).label(label("p1", 40 * H, false));
        d.score(score("a", "p1", 5 * H)).score(score("b", "p1", 20 * H)).score(score("c", "p1", 41 * H))
                .score(score("d", "p1", 12 * H));
        assertEquals(List.of("a:label:1", "b:label:0"), d.sources(), "a in the day before the positive; b in the day before the discharge");
        d.advance(FAR);
        assertEquals(List.of("a:label:1", "b:label:0", "d:timeout:0", "c:timeout:0"), d.sources(),
                "d's window closed before the discharge, c came after it");
        assertTrue(d.dropped.isEmpty(), d.dropped.toString());
        assertTrue(d.empty());
    }

    @Test
    void aLatePositiveOutcomeCorrectsTimedOutScoresUnderCorrectOnly() {
        Driver correct = byEntity(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        correct.score(score("a", "p1", 0)).score(score("b", "p1", 2 * H)).advance(D + H);
        assertEquals(List.of("a:timeout:0"), correct.sources());
        correct.label(label("p1", 20 * H, true));           // a timed out before it came; b is still waiting
        assertEquals(List.of("a:timeout:0", "a:correction:1", "b:label:1"), correct.sources());
        assertEquals(1, correct.lateLabels);
        assertEndsEmpty(correct);
        assertTrue(correct.dropped.isEmpty());

        Driver drop = byEntity(OnTimeout.NEGATIVE, LateLabels.DROP);
        drop.score(score("a", "p1", 0)).advance(D + H).label(label("p1", 20 * H, true));
        assertEquals(List.of("a:timeout:0"), drop.sources());
        assertEquals(1, drop.lateLabels);
        assertEquals(DroppedLabel.Kind.LATE, drop.dropped.get(0).kind);
        assertEndsEmpty(drop);
    }

    @Test
    void anOutcomeWithNoScoreInItsWindowIsUnmatched() {
        Driver d = byEntity(OnTimeout.NEGATIVE, LateLabels.CORRECT);
        d.score(score("a", "p1", 0)).label(label("p1", 3 * D, true));
        d.advance(FAR);
        assertEquals(List.of("a:timeout:0"), d.sources());
        assertEquals(1, d.dropped.size());
        assertEquals(DroppedLabel.Kind.UNMATCHED, d.dropped.get(0).kind);
        assertTrue(d.dropped.get(0).reason.contains("entity p1"), d.dropped.get(0).reason);
        assertTrue(d.empty());
    }

    // ---- invariants over random arrival orders

    @Test
    void inAnyArrivalOrderEveryScoreSettlesOnceEveryLabelIsAccountedForAndTheStateEmpties() {
        for (long seed = 1; seed <= 20; seed++) {
            for (JoinRule.Mode mode : JoinRule.Mode.values()) {
                for (LateLabels late : LateLabels.values()) {
                    checkInvariants(new JoinRule(mode, WINDOW, OnTimeout.NEGATIVE, null, late), seed);
                }
            }
        }
    }

    private record Arrival(long at, Score score, LabelEvent label) {
    }

    private static void checkInvariants(JoinRule rule, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        List<Arrival> arrivals = new java.util.ArrayList<>();
        java.util.Set<String> scoreIds = new java.util.TreeSet<>();
        java.util.Set<String> labelIds = new java.util.TreeSet<>();
        int duplicateScores = 0;
        for (int i = 0; i < 200; i++) {
            String id = "e" + i;
            String entity = "p" + rnd.nextInt(4);
            long t = i * 10 * 60_000L;
            Score s = score(id, entity, t);
            scoreIds.add(id);
            arrivals.add(new Arrival(t + rnd.nextLong(2 * H), s, null));
            if (rnd.nextInt(10) == 0) {
                arrivals.add(new Arrival(t + rnd.nextLong(2 * H), s, null));
                duplicateScores++;
            }
            if (rnd.nextInt(10) < 3) {
                String key = rule.mode() == JoinRule.Mode.BY_EVENT_ID ? (rnd.nextInt(20) == 0 ? "ghost" + i : id) : entity;
                long lt = t + rnd.nextLong(2 * D);
                LabelEvent l = label(key, lt, rnd.nextBoolean());
                labelIds.add(key + "@" + HeldLabel.idOf(l));
                arrivals.add(new Arrival(lt + rnd.nextLong(3 * H), null, l));
                if (rnd.nextInt(8) == 0) {
                    arrivals.add(new Arrival(lt + rnd.nextLong(3 * H), null, l));
                }
            }
        }
        arrivals.sort(java.util.Comparator.comparingLong(Arrival::at));
        Driver d = new Driver(rule, RETENTION);
        for (Arrival a : arrivals) {
            d.advance(Math.max(d.watermark, a.at() - 4 * H));
            if (a.score() != null) {
                d.score(a.score());
            } else {
                d.label(a.label());
            }
        }
        d.advance(FAR);
        String where = rule + ", seed " + seed;
        assertTrue(d.empty(), () -> where + ": state left " + d.states);
        assertEquals(duplicateScores, d.duplicateScores, where);

        java.util.Map<String, Long> first = new java.util.TreeMap<>();
        java.util.Map<String, Long> corrections = new java.util.TreeMap<>();
        java.util.Set<String> used = new java.util.TreeSet<>();
        for (TrainingExample x : d.examples) {
            boolean correction = FeedbackJoin.CORRECTION.equals(x.getLabelSource());
            (correction ? corrections : first).merge(x.getEventId(), 1L, Long::sum);
            if (!FeedbackJoin.TIMEOUT.equals(x.getLabelSource())) {
                String key = rule.mode() == JoinRule.Mode.BY_EVENT_ID ? x.getEventId() : x.getEntity();
                used.add(key + "@" + HeldLabel.idOf(new LabelEvent(key, x.getLabelTime(), x.getLabel() == 1.0, 0)));
            }
        }
        for (String id : scoreIds) {
            assertEquals(1L, first.get(id), () -> where + ": first examples of " + id);
        }
        corrections.forEach((id, n) -> assertEquals(1L, n, () -> where + ": corrections of " + id));
        if (rule.lateLabels() == LateLabels.DROP) {
            assertTrue(corrections.isEmpty(), where);
        }
        java.util.Map<String, Long> droppedTimes = new java.util.TreeMap<>();
        for (DroppedLabel x : d.dropped) {
            droppedTimes.merge(x.label.joinKey + "@" + HeldLabel.idOf(x.label), 1L, Long::sum);
        }
        for (String l : labelIds) {
            long dropped = droppedTimes.getOrDefault(l, 0L);
            assertTrue(dropped <= 1, () -> where + ": " + l + " dropped " + dropped + " times");
            if (rule.mode() == JoinRule.Mode.BY_EVENT_ID) {
                assertTrue(used.contains(l) != (dropped == 1), () -> where + ": " + l + " used " + used.contains(l) + ", dropped " + dropped);
            } else {
                assertTrue(used.contains(l) || dropped == 1, () -> where + ": " + l + " neither used nor dropped");
            }
        }
        assertTrue(labelIds.containsAll(used), () -> where + ": examples name labels never sent");
    }
}
