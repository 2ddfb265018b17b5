package io.kingfisher.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftScheduleTest {
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;

    @Test
    void parsesPointsKeywordsAndUnits() {
        DriftSchedule s = DriftSchedule.parse(" Abrupt@30m , gradual@2h+1h,gradual@1.5d+90s ");
        assertEquals(List.of(
                new DriftSchedule.Point(DriftSchedule.Kind.ABRUPT, Duration.ofMinutes(30), Duration.ZERO),
                new DriftSchedule.Point(DriftSchedule.Kind.GRADUAL, Duration.ofHours(2), Duration.ofHours(1)),
                new DriftSchedule.Point(DriftSchedule.Kind.GRADUAL, Duration.ofHours(36), Duration.ofSeconds(90))), s.points());
        assertEquals("abrupt@30m,gradual@2h+1h,gradual@36h+90s", s.spec());
        assertEquals(s, DriftSchedule.parse(s.spec()), "the spec parses back");
        assertEquals(4, s.regimes());
        assertEquals(Duration.ofMillis(1500), DriftSchedule.parse("abrupt@1500ms").points().get(0).at());
        assertEquals(Duration.ofMinutes(5), DriftSchedule.parse("abrupt@5min").points().get(0).at());
    }

    @Test
    void defaultIsTheBuiltInScheduleAndNoneIsNoDrift() {
        DriftSchedule builtIn = DriftSchedule.parse("abrupt@1d");
        assertSame(builtIn, DriftSchedule.parse("default", builtIn));
        assertSame(builtIn, DriftSchedule.parse("DEFAULT", builtIn));
        assertTrue(DriftSchedule.parse("none", builtIn).isNone());
        assertEquals("none", DriftSchedule.none().spec());
        assertEquals(1, DriftSchedule.none().regimes());
        assertArrayEquals(new double[] {1.0}, DriftSchedule.none().shares(123));
    }

    @Test
    void abruptIsAStepGradualARampAndEachPointTakesOverFromWhatCameBefore() {
        DriftSchedule s = DriftSchedule.parse("abrupt@1h,gradual@2h+1h");
        assertArrayEquals(new double[] {1, 0, 0}, s.shares(HOUR - 1), 1e-12);
        assertArrayEquals(new double[] {0, 1, 0}, s.shares(HOUR), 1e-12);
        assertArrayEquals(new double[] {0, 1, 0}, s.shares(2 * HOUR), 1e-12);
        assertArrayEquals(new double[] {0, 0.75, 0.25}, s.shares(2 * HOUR + 15 * MIN), 1e-12);
        assertArrayEquals(new double[] {0, 0, 1}, s.shares(3 * HOUR), 1e-12);
        assertArrayEquals(new double[] {0, 0, 1}, s.shares(30 * HOUR), 1e-12);

        // Overlapping ramps: the later point takes its share of the mix the earlier one left.
        DriftSchedule overlap = DriftSchedule.parse("gradual@0s+4h,gradual@2h+4h");
        double[] at3h = overlap.shares(3 * HOUR); // w1 = 0.75, w2 = 0.25
        assertArrayEquals(new double[] {0.25 * 0.75, 0.75 * 0.75, 0.25}, at3h, 1e-12);
        assertEquals(1.0, at3h[0] + at3h[1] + at3h[2], 1e-12);
    }

    @Test
    void regimesAreDrawnByShareAndMembersAdoptOnce() {
        DriftSchedule s = DriftSchedule.parse("gradual@1h+2h");
        long mid = 2 * HOUR; // half-way: share 0.5
        assertEquals(0, s.sampleRegime(mid, 0.6));
        assertEquals(1, s.sampleRegime(mid, 0.4));
        assertEquals(0, s.sampleRegime(0, 0.0));
        double[] early = {0.2};
        double[] late = {0.9};
        assertEquals(1, s.adoptedRegime(mid, early));
        assertEquals(0, s.adoptedRegime(mid, late));
        assertEquals(1, s.adoptedRegime(3 * HOUR + 1, late));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                          | drift spec is empty",
            "sudden@1h                   | drift point 'sudden@1h': unknown kind 'sudden'; expected abrupt or gradual",
            "abrupt                      | drift point 'abrupt': missing '@time'",
            "gradual@2h                  | drift point 'gradual@2h': a gradual drift needs a ramp, e.g. gradual@2h+1h",
            "abrupt@1h+5m                | drift point 'abrupt@1h+5m': an abrupt drift takes no ramp",
            "abrupt@soon                 | drift point 'abrupt@soon': bad time 'soon'",
            "abrupt@30                   | drift point 'abrupt@30': time '30' needs a unit",
            "abrupt@3w                   | drift point 'abrupt@3w': bad time '3w': unknown unit 'w'",
            "gradual@1h+0s               | drift point 'gradual@1h+0s': the ramp must be positive",
            "gradual@1h+x                | drift point 'gradual@1h+x': bad ramp 'x'",
            "'abrupt@2h,abrupt@1h'       | drift points must be in time order: 'abrupt@1h' does not start after 'abrupt@2h'",
            "'abrupt@1h,,abrupt@2h'      | has an empty point",
            "'none,abrupt@1h'            | 'none' must stand alone",
            "default                     | 'default' is not allowed here"})
    void errorsNameTheProblem(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DriftSchedule.parse(spec));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void atMostSixteenPoints() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 17; i++) {
            b.append(i == 1 ? "" : ",").append("abrupt@").append(i).append('h');
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DriftSchedule.parse(b.toString()));
        assertTrue(e.getMessage().contains("at most 16"), e.getMessage());
    }

    @Test
    void builtInSchedulesParse() {
        for (String d : List.of("fraud", "clicks", "clinical")) {
            assertTrue(Simulators.builtInDrift(d).regimes() >= 2, d);
        }
    }
}
