package io.kingfisher.domain;

import io.kingfisher.domain.News2.Risk;
import io.kingfisher.domain.News2.SpO2Scale;
import io.kingfisher.schemas.clinical.Consciousness;
import io.kingfisher.schemas.clinical.VitalSignObservation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** NEWS2 against the RCP 2017 chart, band edge by band edge, and against hand-worked patients. */
class News2Test {

    @Test
    void respirationBands() {
        int[][] cases = {{5, 3}, {8, 3}, {9, 1}, {11, 1}, {12, 0}, {20, 0}, {21, 2}, {24, 2}, {25, 3}, {40, 3}};
        for (int[] c : cases) {
            assertEquals(c[1], News2.respiration(c[0]), "respiration " + c[0]);
        }
    }

    @Test
    void spo2Scale1Bands() {
        int[][] cases = {{85, 3}, {91, 3}, {92, 2}, {93, 2}, {94, 1}, {95, 1}, {96, 0}, {100, 0}};
        for (int[] c : cases) {
            assertEquals(c[1], News2.spo2Scale1(c[0]), "SpO2 " + c[0]);
        }
    }

    @Test
    void spo2Scale2BandsDependOnOxygenAbove92() {
        int[][] onAir = {{83, 3}, {84, 2}, {85, 2}, {86, 1}, {87, 1}, {88, 0}, {92, 0}, {93, 0}, {97, 0}, {100, 0}};
        for (int[] c : onAir) {
            assertEquals(c[1], News2.spo2Scale2(c[0], false), "SpO2 " + c[0] + " on air");
        }
        int[][] onOxygen = {{83, 3}, {86, 1}, {88, 0}, {92, 0}, {93, 1}, {94, 1}, {95, 2}, {96, 2}, {97, 3}, {100, 3}};
        for (int[] c : onOxygen) {
            assertEquals(c[1], News2.spo2Scale2(c[0], true), "SpO2 " + c[0] + " on oxygen");
        }
    }

    @Test
    void systolicPulseTemperatureConsciousnessAndOxygenBands() {
        int[][] sbp = {{70, 3}, {90, 3}, {91, 2}, {100, 2}, {101, 1}, {110, 1}, {111, 0}, {219, 0}, {220, 3}};
        for (int[] c : sbp) {
            assertEquals(c[1], News2.systolic(c[0]), "systolic " + c[0]);
        }
        int[][] pulse = {{35, 3}, {40, 3}, {41, 1}, {50, 1}, {51, 0}, {90, 0}, {91, 1}, {110, 1}, {111, 2}, {130, 2}, {131, 3}};
        for (int[] c : pulse) {
            assertEquals(c[1], News2.pulse(c[0]), "pulse " + c[0]);
        }
        double[][] temp = {{34.2, 3}, {35.0, 3}, {35.1, 1}, {36.0, 1}, {36.1, 0}, {38.0, 0}, {38.1, 1}, {39.0, 1}, {39.1, 2}, {41.0, 2}};
        for (double[] c : temp) {
            assertEquals((int) c[1], News2.temperature(c[0]), "temperature " + c[0]);
        }
        assertEquals(0, News2.consciousness(Consciousness.ALERT));
        for (Consciousness c : new Consciousness[] {Consciousness.CONFUSED, Consciousness.VOICE, Consciousness.PAIN, Consciousness.UNRESPONSIVE}) {
            assertEquals(3, News2.consciousness(c), c.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> News2.consciousness(Consciousness.UNKNOWN));
        assertEquals(2, News2.airOrOxygen(true));
        assertEquals(0, News2.airOrOxygen(false));
    }

    @Test
    void measurementsAreRoundedAsChartedBeforeBanding() {
        assertEquals(0, News2.respiration(20.4)); // charted 20
        assertEquals(2, News2.respiration(20.6)); // charted 21
        assertEquals(1, News2.spo2Scale1(95.4));
        assertEquals(0, News2.spo2Scale1(95.6));
        assertEquals(0, News2.temperature(38.04)); // charted 38.0
        assertEquals(1, News2.temperature(38.06)); // charted 38.1
        assertEquals(3, News2.systolic(90.4));
        assertEquals(2, News2.systolic(90.6));
    }

    @Test
    void handWorkedPatients() {
        // A well patient: every parameter in its 0 band.
        News2.Result well = News2.score(16.0, 97.0, false, 125.0, 72.0, Consciousness.ALERT, 36.9, SpO2Scale.SCALE_1);
        assertEquals(0, well.total());
        assertEquals(Risk.LOW, well.risk());
        assertEquals(0, well.missing());

        // RR 22 (2), SpO2 93 (2), oxygen (2), SBP 105 (1), pulse 112 (2), alert (0), 38.4 C (1): 10, high.
        News2.Result septic = News2.score(22.0, 93.0, true, 105.0, 112.0, Consciousness.ALERT, 38.4, SpO2Scale.SCALE_1);
        assertEquals(10, septic.total());
        assertEquals(new News2.Result(10, 2, 2, 2, 1, 2, 0, 1, 0, Risk.HIGH), septic);

        // One red parameter alone: RR 26 (3), all else normal: 3, low-medium.
        News2.Result red = News2.score(26.0, 98.0, false, 130.0, 80.0, Consciousness.ALERT, 37.0, SpO2Scale.SCALE_1);
        assertEquals(3, red.total());
        assertEquals(Risk.LOW_MEDIUM, red.risk());

        // New confusion (3), pulse 95 (1), 35.8 C (1): 5, medium.
        News2.Result confused = News2.score(18.0, 96.0, false, 120.0, 95.0, Consciousness.CONFUSED, 35.8, SpO2Scale.SCALE_1);
        assertEquals(5, confused.total());
        assertEquals(Risk.MEDIUM, confused.risk());

        // Pulse 95 (1), SBP 108 (1), RR 21 (2): 4, low (no red parameter).
        assertEquals(Risk.LOW, News2.score(21.0, 97.0, false, 108.0, 95.0, Consciousness.ALERT, 37.2, SpO2Scale.SCALE_1).risk());

        // 7 exactly is high: RR 25 (3), SpO2 94 (1), SBP 100 (2), pulse 91 (1).
        assertEquals(Risk.HIGH, News2.score(25.0, 94.0, false, 100.0, 91.0, Consciousness.ALERT, 37.0, SpO2Scale.SCALE_1).risk());
    }

    @Test
    void scale2PatientOnTarget() {
        // COPD patient, target 88-92: SpO2 90 on air scores 0 on scale 2 but 3 on scale 1.
        assertEquals(0, News2.score(18.0, 90.0, false, 130.0, 80.0, Consciousness.ALERT, 37.0, SpO2Scale.SCALE_2).total());
        assertEquals(3, News2.score(18.0, 90.0, false, 130.0, 80.0, Consciousness.ALERT, 37.0, SpO2Scale.SCALE_1).total());
        // Over-oxygenated on scale 2: 97 on oxygen is 3, plus 2 for the oxygen.
        assertEquals(5, News2.score(18.0, 97.0, true, 130.0, 80.0, Consciousness.ALERT, 37.0, SpO2Scale.SCALE_2).total());
    }

    @Test
    void missingParametersScoreZeroAndAreCounted() {
        News2.Result r = News2.score(null, 93.0, false, null, 120.0, Consciousness.UNKNOWN, null, SpO2Scale.SCALE_1);
        assertEquals(4, r.missing());
        assertEquals(2 + 2, r.total()); // SpO2 93 (2) + pulse 120 (2)
    }

    @Test
    void scoresAnObservationRecord() {
        VitalSignObservation o = VitalSignObservation.newBuilder()
                .setObservationId("o1").setPatientId("p1").setWardId("w1")
                .setHeartRate(112.0).setRespiratoryRate(22.0).setSpo2(93.0).setTemperature(38.4).setSystolicBp(105.0)
                .setConsciousness(Consciousness.ALERT).setOnOxygen(true).setEventTime(0L)
                .build();
        assertEquals(10, News2.score(o).total());
    }
}
