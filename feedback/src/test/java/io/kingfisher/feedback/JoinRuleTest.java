package io.kingfisher.feedback;

import io.kingfisher.feedback.JoinRule.LateLabels;
import io.kingfisher.feedback.JoinRule.Mode;
import io.kingfisher.feedback.JoinRule.OnTimeout;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JoinRuleTest {
    private static final Duration DAY = Duration.ofDays(1);

    private static String reject(Mode mode, Duration window, OnTimeout onTimeout, Duration provisional, LateLabels late) {
        return assertThrows(IllegalArgumentException.class, () -> new JoinRule(mode, window, onTimeout, provisional, late))
                .getMessage();
    }

    @Test
    void everyFieldIsRequiredAndNamedWhenWrong() {
        assertTrue(reject(null, DAY, OnTimeout.NEGATIVE, null, LateLabels.DROP).startsWith("JoinRule.mode:"));
        assertTrue(reject(Mode.BY_EVENT_ID, null, OnTimeout.NEGATIVE, null, LateLabels.DROP).startsWith("JoinRule.window:"));
        assertTrue(reject(Mode.BY_EVENT_ID, Duration.ZERO, OnTimeout.NEGATIVE, null, LateLabels.DROP).contains("was PT0S"));
        assertTrue(reject(Mode.BY_EVENT_ID, DAY.negated(), OnTimeout.NEGATIVE, null, LateLabels.DROP).startsWith("JoinRule.window:"));
        assertTrue(reject(Mode.BY_EVENT_ID, DAY, null, null, LateLabels.DROP).startsWith("JoinRule.onTimeout:"));
        assertTrue(reject(Mode.BY_EVENT_ID, DAY, OnTimeout.NEGATIVE, null, null).startsWith("JoinRule.lateLabels:"));
    }

    @Test
    void aProvisionalDelayMustBePositiveShorterThanTheWindowAndOnlyWithNegativeTimeouts() {
        for (Duration bad : new Duration[]{Duration.ZERO, Duration.ofHours(-1), DAY, Duration.ofDays(2)}) {
            String m = reject(Mode.BY_EVENT_ID, DAY, OnTimeout.NEGATIVE, bad, LateLabels.CORRECT);
            assertTrue(m.startsWith("JoinRule.provisionalNegativeAfter:") && m.contains("PT24H"), m);
        }
        String m = reject(Mode.BY_ENTITY_WITHIN, DAY, OnTimeout.UNLABELLED, Duration.ofHours(1), LateLabels.CORRECT);
        assertTrue(m.startsWith("JoinRule.provisionalNegativeAfter:") && m.contains("UNLABELLED"), m);

        JoinRule ok = JoinRule.byEventId(DAY, OnTimeout.NEGATIVE, LateLabels.CORRECT).withProvisionalNegativeAfter(Duration.ofHours(1));
        assertEquals(Duration.ofHours(1), ok.provisionalNegativeAfter());
        assertEquals(Mode.BY_EVENT_ID, ok.mode());
    }

    @Test
    void theKeyOfAScoreIsItsEventIdOrItsEntity() {
        var score = Fixtures.score("e1", "card-7", 0);
        assertEquals("e1", JoinRule.byEventId(DAY, OnTimeout.NEGATIVE, LateLabels.DROP).keyOf(score));
        assertEquals("card-7", JoinRule.byEntityWithin(DAY, OnTimeout.NEGATIVE, LateLabels.DROP).keyOf(score));
    }
}
