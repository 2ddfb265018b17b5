package io.kingfisher.domain;

import io.kingfisher.schemas.clinical.Consciousness;
import io.kingfisher.schemas.clinical.VitalSignObservation;

/**
 * The National Early Warning Score 2 (Royal College of Physicians, 2017) from one set of vital signs: the
 * bedside baseline a clinical model must beat, and a feature where one is wanted.
 *
 * <pre>
 * parameter            3        2         1          0           1           2          3
 * respiration /min     &lt;=8               9-11       12-20                   21-24      &gt;=25
 * SpO2 scale 1 %       &lt;=91     92-93     94-95      &gt;=96
 * SpO2 scale 2 %       &lt;=83     84-85     86-87      88-92,      93-94 on O2 95-96 on O2 &gt;=97 on O2
 *                                                     &gt;=93 on air
 * air or oxygen                  oxygen               air
 * systolic BP mmHg     &lt;=90     91-100    101-110    111-219                            &gt;=220
 * pulse /min           &lt;=40               41-50      51-90       91-110      111-130    &gt;=131
 * consciousness                                      alert                              new confusion, V, P, U
 * temperature C        &lt;=35.0             35.1-36.0  36.1-38.0   38.1-39.0   &gt;=39.1
 * </pre>
 *
 * Scale 2 is for patients with hypercapnic respiratory failure and a prescribed target of 88-92%; scale 1 for all
 * others. Measurements are rounded before banding, as charted: respiration, SpO2, systolic pressure and pulse to
 * whole numbers, temperature to one decimal (half up). A missing measurement (null, or consciousness
 * {@code UNKNOWN}) scores 0 and is counted in {@link Result#missing()}, so a partial set gives a lower bound.
 *
 * <p>Clinical risk: 0-4 low, with a 3 in any single parameter low-medium, 5-6 medium, 7 or more high.
 */
public final class News2 {
    private News2() {
    }

    /** Which SpO2 scale applies to the patient. */
    public enum SpO2Scale { SCALE_1, SCALE_2 }

    /** The clinical risk band of an aggregate score. */
    public enum Risk { LOW, LOW_MEDIUM, MEDIUM, HIGH }

    /**
     * A NEWS2 score and its parts.
     *
     * @param total   the aggregate score, 0 to 20
     * @param missing how many of the seven parameters were not measured (each scored 0)
     */
    public record Result(int total, int respiration, int spo2, int airOrOxygen, int systolic, int pulse, int consciousness,
                         int temperature, int missing, Risk risk) {
    }

    /**
     * Scores one set of observations; null means not measured.
     *
     * @param onOxygen      whether the patient is on supplemental oxygen
     * @param consciousness ACVPU; {@code UNKNOWN} or null means not assessed
     */
    public static Result score(Double respiration, Double spo2, boolean onOxygen, Double systolic, Double pulse,
                               Consciousness consciousness, Double temperature, SpO2Scale scale) {
        int missing = 0;
        int rr = 0;
        int sat = 0;
        int sbp = 0;
        int hr = 0;
        int acvpu = 0;
        int temp = 0;
        if (respiration == null) {
            missing++;
        } else {
            rr = respiration(respiration);
        }
        if (spo2 == null) {
            missing++;
        } else {
            sat = scale == SpO2Scale.SCALE_2 ? spo2Scale2(spo2, onOxygen) : spo2Scale1(spo2);
        }
        int air = airOrOxygen(onOxygen);
        if (systolic == null) {
            missing++;
        } else {
            sbp = systolic(systolic);
        }
        if (pulse == null) {
            missing++;
        } else {
            hr = pulse(pulse);
        }
        if (consciousness == null || consciousness == Consciousness.UNKNOWN) {
            missing++;
        } else {
            acvpu = consciousness(consciousness);
        }
        if (temperature == null) {
            missing++;
        } else {
            temp = temperature(temperature);
        }
        int total = rr + sat + air + sbp + hr + acvpu + temp;
        boolean red = rr == 3 || sat == 3 || sbp == 3 || hr == 3 || acvpu == 3 || temp == 3;
        Risk risk = total >= 7 ? Risk.HIGH : total >= 5 ? Risk.MEDIUM : red ? Risk.LOW_MEDIUM : Risk.LOW;
        return new Result(total, rr, sat, air, sbp, hr, acvpu, temp, missing, risk);
    }

    /** Scores an observation on SpO2 scale 1. */
    public static Result score(VitalSignObservation o) {
        return score(o, SpO2Scale.SCALE_1);
    }

    /** Scores an observation on the given SpO2 scale. */
    public static Result score(VitalSignObservation o, SpO2Scale scale) {
        return score(o.getRespiratoryRate(), o.getSpo2(), o.getOnOxygen(), o.getSystolicBp(), o.getHeartRate(),
                o.getConsciousness(), o.getTemperature(), scale);
    }

    /** Respiration rate per minute: 8 or less 3; 9-11 1; 12-20 0; 21-24 2; 25 or more 3. */
    public static int respiration(double perMinute) {
        long v = Math.round(perMinute);
        return v <= 8 ? 3 : v <= 11 ? 1 : v <= 20 ? 0 : v <= 24 ? 2 : 3;
    }

    /** SpO2 scale 1, per cent: 91 or less 3; 92-93 2; 94-95 1; 96 or more 0. */
    public static int spo2Scale1(double percent) {
        long v = Math.round(percent);
        return v <= 91 ? 3 : v <= 93 ? 2 : v <= 95 ? 1 : 0;
    }

    /**
     * SpO2 scale 2, per cent: 83 or less 3; 84-85 2; 86-87 1; 88-92 0; 93 or more on air 0; 93-94 on oxygen 1;
     * 95-96 on oxygen 2; 97 or more on oxygen 3.
     */
    public static int spo2Scale2(double percent, boolean onOxygen) {
        long v = Math.round(percent);
        if (v <= 83) {
            return 3;
        }
        if (v <= 85) {
            return 2;
        }
        if (v <= 87) {
            return 1;
        }
        if (v <= 92 || !onOxygen) {
            return 0;
        }
        return v <= 94 ? 1 : v <= 96 ? 2 : 3;
    }

    /** Supplemental oxygen 2, air 0. */
    public static int airOrOxygen(boolean onOxygen) {
        return onOxygen ? 2 : 0;
    }

    /** Systolic blood pressure, mmHg: 90 or less 3; 91-100 2; 101-110 1; 111-219 0; 220 or more 3. */
    public static int systolic(double mmHg) {
        long v = Math.round(mmHg);
        return v <= 90 ? 3 : v <= 100 ? 2 : v <= 110 ? 1 : v <= 219 ? 0 : 3;
    }

    /** Pulse per minute: 40 or less 3; 41-50 1; 51-90 0; 91-110 1; 111-130 2; 131 or more 3. */
    public static int pulse(double perMinute) {
        long v = Math.round(perMinute);
        return v <= 40 ? 3 : v <= 50 ? 1 : v <= 90 ? 0 : v <= 110 ? 1 : v <= 130 ? 2 : 3;
    }

    /** Alert 0; new confusion, responds to voice, to pain, or unresponsive 3. */
    public static int consciousness(Consciousness c) {
        return switch (c) {
            case ALERT -> 0;
            case CONFUSED, VOICE, PAIN, UNRESPONSIVE -> 3;
            case UNKNOWN -> throw new IllegalArgumentException("consciousness UNKNOWN is not scored (a missing parameter)");
        };
    }

    /** Temperature, degrees C: 35.0 or less 3; 35.1-36.0 1; 36.1-38.0 0; 38.1-39.0 1; 39.1 or more 2. */
    public static int temperature(double celsius) {
        long tenths = Math.round(celsius * 10);
        return tenths <= 350 ? 3 : tenths <= 360 ? 1 : tenths <= 380 ? 0 : tenths <= 390 ? 1 : 2;
    }
}
