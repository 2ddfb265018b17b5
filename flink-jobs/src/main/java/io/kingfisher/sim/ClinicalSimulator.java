package io.kingfisher.sim;

import io.kingfisher.domain.News2;
import io.kingfisher.schemas.clinical.ClinicalOutcome;
import io.kingfisher.schemas.clinical.Consciousness;
import io.kingfisher.schemas.clinical.OutcomeType;
import io.kingfisher.schemas.clinical.VitalSignObservation;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Patients on monitored wards with a hidden deterioration process.
 *
 * <p><b>Stays.</b> Each bed admits a patient, keeps them for a log-normal stay (median 36 h) and, after a turnover
 * gap (3 h on average), admits the next. At admission the patient's population is drawn (the drift schedule
 * brings new ward populations), and with it their baseline vitals and whether they will deteriorate: a few per
 * cent of admissions do. A deteriorating patient drifts for 4 to 16 hours before the outcome (ICU transfer 75%,
 * cardiac arrest 10%, death 15%): heart rate, respiration, saturation, temperature and blood pressure move
 * along the population's deterioration direction with growing severity, confusion becomes likely, oxygen is
 * started when saturation falls. Everyone else is discharged at the end of the stay. Anyone may have transient
 * episodes (a fever, a desaturation, pain, a dip in pressure) that look like deterioration for an hour or a few
 * and pass: what makes the task hard and NEWS2 imperfect.
 *
 * <p><b>Observations</b> come every {@code observationInterval} (10 min by default, jittered), more often as a
 * patient gets sicker and twice as often while NEWS2 is 5 or more (escalation). Measurements carry noise that is
 * correlated from one observation to the next, are rounded as charted, and are sometimes missing.
 *
 * <p><b>Populations</b> (drift regimes): 0 general medical; odd regimes respiratory (lower saturation and more oxygen
 * at baseline, deterioration mostly respiratory); even regimes from 2 surgical (deterioration is sepsis-like: pulse
 * up, pressure down, temperature up or down). A model trained on one population mistakes another's baseline for
 * deterioration, or misses its way of deteriorating.
 *
 * <p><b>Labels.</b> Each stay ends with a {@code ClinicalOutcome} whose {@code event_time} is when it happened;
 * it is emitted when recorded, about 40 minutes later (log-normal). {@link SimulatedEvent#positive()} of an
 * observation is the domain's rule: the patient deteriorates within {@link #HORIZON} after it.
 */
public final class ClinicalSimulator extends EventTimeSimulator {
    /** Most beds a time scale may ask for. */
    public static final int MAX_BEDS = 1_000_000;
    /** The deterioration horizon of the clinical label rule. */
    public static final Duration HORIZON = Duration.ofHours(12);
    private static final long HOUR = 3_600_000L;
    /** Expected share of time a bed is occupied (stay / (stay + gap)). */
    private static final double OCCUPANCY = 0.93;
    /** Mean of the interval jitter, exp(0.35^2 / 2). */
    private static final double JITTER_MEAN = 1.063;
    private static final int HR = 0;
    private static final int RR = 1;
    private static final int SPO2 = 2;
    private static final int TEMP = 3;
    private static final int SBP = 4;
    private static final double[] NOISE = {4.0, 1.5, 0.8, 0.15, 7.0};
    private static final double[] MISSING = {0.02, 0.03, 0.02, 0.08, 0.03};
    private static final OutcomeType[] DETERIORATION = {OutcomeType.ICU_TRANSFER, OutcomeType.CARDIAC_ARREST, OutcomeType.DEATH};
    private static final double[] DETERIORATION_W = {0.75, 0.10, 0.15};
    /** Transient episodes' effect at full amplitude: fever, desaturation, pain, hypotension. */
    private static final double[][] EPISODES = {
            {18, 4, -1, 1.4, 5},
            {8, 5, -5, 0, 0},
            {22, 3, 0, 0, 18},
            {15, 2, 0, 0, -25}};

    /**
     * A ward population: baseline vitals (mean and spread between patients, in the order heart rate, respiration,
     * SpO2, temperature, systolic pressure), the shift at full deterioration, the chance of oxygen at baseline,
     * of deteriorating during a stay, and of confusion at full deterioration.
     */
    record Population(String name, double[] mean, double[] spread, double[] deterioration, double oxygen,
                      double deteriorates, double confusion) {
    }

    static final Population GENERAL = new Population("general medical",
            new double[] {78, 16, 96.5, 36.8, 128}, new double[] {10, 2, 1.3, 0.3, 15},
            new double[] {32, 11, -7, 0.9, -25}, 0.08, 0.045, 0.5);
    static final Population RESPIRATORY = new Population("respiratory",
            new double[] {88, 21, 91, 36.9, 134}, new double[] {14, 4, 3, 0.35, 18},
            new double[] {18, 8, -4, 1.0, -8}, 0.5, 0.07, 0.3);
    static final Population SURGICAL = new Population("surgical",
            new double[] {84, 17, 96, 37.2, 120}, new double[] {12, 2.5, 1.5, 0.4, 16},
            new double[] {38, 6, -3, 1.6, -38}, 0.10, 0.06, 0.6);

    /**
     * @param beds                beds on the wards
     * @param observationInterval typical time between two observations of a stable patient
     * @param medianStay          median length of stay
     * @param startMillis         simulated start, epoch ms
     */
    public record Config(int beds, Duration observationInterval, Duration medianStay, long startMillis) {
        public Config {
            if (beds < 1) {
                throw new IllegalArgumentException("clinical simulator: need at least 1 bed, had " + beds);
            }
            if (observationInterval == null || observationInterval.toMillis() < 1_000) {
                throw new IllegalArgumentException("clinical simulator: observation interval must be at least 1 s, was " + observationInterval);
            }
            if (medianStay == null || medianStay.compareTo(Duration.ofHours(6)) < 0) {
                throw new IllegalArgumentException("clinical simulator: median stay must be at least 6 h, was " + medianStay);
            }
        }

        /** 300 beds, observations every 10 minutes, stays of 36 hours (median), from 2026-01-01. */
        public static Config defaults() {
            return new Config(300, Duration.ofMinutes(10), Duration.ofHours(36), FraudSimulator.DEFAULT_START);
        }

        /** The defaults with as many beds as make {@code eventsPerSimulatedSecond} observations a simulated second. */
        public static Config forRate(double eventsPerSimulatedSecond) {
            Config d = defaults();
            long beds = Math.round(eventsPerSimulatedSecond * d.observationInterval.toMillis() / 1000.0 * JITTER_MEAN / OCCUPANCY);
            if (beds < 1) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "%.4f observations per simulated second is less than one bed; raise the rate or lower the time scale",
                        eventsPerSimulatedSecond));
            }
            if (beds > MAX_BEDS) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "%.0f observations per simulated second needs %,d beds, more than %,d; lower the rate or raise the time scale",
                        eventsPerSimulatedSecond, beds, MAX_BEDS));
            }
            return new Config((int) beds, d.observationInterval, d.medianStay, d.startMillis);
        }

        /** @return the observations a simulated second these wards produce, about */
        public double eventsPerSimulatedSecond() {
            return beds * OCCUPANCY / (observationInterval.toMillis() / 1000.0 * JITTER_MEAN);
        }
    }

    private final Config config;
    private final DriftSchedule drift;
    private final Rng rnd;
    private final Patient[] patients;
    private final PriorityQueue<BedTime> schedule = new PriorityQueue<>();
    private long patientSeq;
    private long observationSeq;
    private long admissions;
    private long deteriorations;

    /**
     * @param drift     when new ward populations arrive (each new admission is drawn from the populations' shares)
     * @param transport how observations are held up on their way
     */
    public ClinicalSimulator(long seed, Config config, DriftSchedule drift, Transport transport) {
        super(seed, config.startMillis(), transport);
        this.config = config;
        this.drift = drift == null ? DriftSchedule.none() : drift;
        this.rnd = new Rng(seed);
        this.patients = new Patient[config.beds()];
        // Start with full wards, each patient somewhere in their stay, so the stream is in steady state from the start.
        for (int b = 0; b < config.beds(); b++) {
            Patient p = newPatient(b, config.startMillis());
            p.shiftBack(Math.round(rnd.uniform() * 0.9 * (p.end - config.startMillis())));
            patients[b] = p;
            scheduleFirstObservation(b, p, config.startMillis());
        }
    }

    /** With the default wards, no drift and the default transport. */
    public static ClinicalSimulator withDefaults(long seed) {
        return new ClinicalSimulator(seed, Config.defaults(), DriftSchedule.none(), Transport.DEFAULT);
    }

    /**
     * Admissions so far (patients on the wards at the start included) and how many of them will deteriorate: the
     * hidden truth, decided at admission.
     */
    public record Tally(long admissions, long deteriorations) {
        /** @return deteriorations per admission */
        public double deteriorationRate() {
            return admissions == 0 ? 0 : deteriorations / (double) admissions;
        }
    }

    /** @return admissions so far and how many of them deteriorate */
    public Tally tally() {
        return new Tally(admissions, deteriorations);
    }

    @Override
    protected void generate() {
        while (true) {
            BedTime next = schedule.poll();
            int b = next.bed;
            Patient p = patients[b];
            if (p == null) {
                admit(b, next.time);
                continue;
            }
            if (next.time >= p.end) {
                discharge(b, p);
                return;
            }
            observe(b, p, next.time);
            return;
        }
    }

    private void admit(int bed, long admittedAt) {
        Patient p = newPatient(bed, admittedAt);
        patients[bed] = p;
        scheduleFirstObservation(bed, p, admittedAt);
    }

    private Patient newPatient(int bed, long admittedAt) {
        Population pop = population(drift.sampleRegime(Math.max(0, admittedAt - start()), rnd.uniform()));
        Patient p = new Patient();
        p.id = "pt-" + Long.toString(patientSeq++, 36);
        p.ward = "ward-" + (bed / 24 + 1);
        p.population = pop;
        for (int j = 0; j < 5; j++) {
            p.baseline[j] = pop.mean()[j] + pop.spread()[j] * rnd.gaussian();
        }
        p.baseline[SPO2] = Math.min(99.5, p.baseline[SPO2]);
        p.oxygenAtBaseline = rnd.chance(pop.oxygen());
        p.onOxygen = p.oxygenAtBaseline;
        p.temperatureSign = pop == SURGICAL && rnd.chance(0.25) ? -1 : 1;
        long stay = Math.max(6 * HOUR, Math.round(rnd.logNormal(config.medianStay().toMillis(), 0.6)));
        p.deteriorates = rnd.chance(pop.deteriorates());
        if (p.deteriorates) {
            p.end = admittedAt + Math.max(3 * HOUR, Math.round(stay * rnd.uniform(0.15, 1.0)));
            p.onset = Math.max(admittedAt, p.end - Math.round(rnd.uniform(4, 16) * HOUR));
            p.outcome = DETERIORATION[rnd.pick(DETERIORATION_W)];
        } else {
            p.end = admittedAt + stay;
            p.outcome = OutcomeType.DISCHARGE;
        }
        p.nextEpisode = admittedAt + Math.round(rnd.exponential(36 * HOUR));
        admissions++;
        deteriorations += p.deteriorates ? 1 : 0;
        return p;
    }

    /** The first observation comes within one interval of {@code from}; a stay that ends sooner goes to its outcome. */
    private void scheduleFirstObservation(int bed, Patient p, long from) {
        long first = from + Math.round(rnd.uniform() * config.observationInterval().toMillis());
        schedule.add(new BedTime(Math.min(first, p.end), bed));
    }

    private void discharge(int bed, Patient p) {
        long lag = Math.max(60_000L, Math.round(rnd.logNormal(40 * 60_000.0, 0.7)));
        ClinicalOutcome outcome = ClinicalOutcome.newBuilder()
                .setPatientId(p.id)
                .setWardId(p.ward)
                .setOutcome(p.outcome)
                .setEventTime(p.end)
                .build();
        emitLabel(new SimulatedLabel(p.id, outcome, p.deteriorates), p.end + lag);
        patients[bed] = null;
        schedule.add(new BedTime(p.end + Math.max(10 * 60_000L, Math.round(rnd.exponential(3 * HOUR))), bed));
    }

    private void observe(int bed, Patient p, long t) {
        double s = p.severity(t);
        double episode = p.episode(t, rnd);
        double[] shift = p.population.deterioration();
        double[] v = new double[5];
        for (int j = 0; j < 5; j++) {
            double det = shift[j] * (j == TEMP ? p.temperatureSign : 1);
            double epi = p.episodeType < 0 ? 0 : EPISODES[p.episodeType][j];
            p.noise[j] = 0.6 * p.noise[j] + 0.8 * NOISE[j] * rnd.gaussian();
            v[j] = p.baseline[j] + s * det + episode * epi + p.noise[j];
        }
        if (!p.onOxygen && v[SPO2] < 92 && rnd.chance(0.5)) {
            p.onOxygen = true; // oxygen is started and stays on
        }
        if (p.onOxygen && !p.oxygenAtBaseline) {
            v[SPO2] += 3;
        }
        double pConfused = 0.003 + p.population.confusion() * s * s + (p.episodeType == 3 ? 0.15 * episode : 0);
        Consciousness acvpu;
        if (rnd.chance(0.01)) {
            acvpu = Consciousness.UNKNOWN;
        } else if (rnd.chance(pConfused)) {
            double u = rnd.uniform();
            acvpu = u < 0.6 ? Consciousness.CONFUSED : u < 0.85 ? Consciousness.VOICE : u < 0.95 ? Consciousness.PAIN
                    : Consciousness.UNRESPONSIVE;
        } else {
            acvpu = Consciousness.ALERT;
        }
        VitalSignObservation obs = VitalSignObservation.newBuilder()
                .setObservationId("obs-" + Long.toString(observationSeq++, 36))
                .setPatientId(p.id)
                .setWardId(p.ward)
                .setHeartRate(measured(HR, Math.round(clamp(v[HR], 25, 220))))
                .setRespiratoryRate(measured(RR, Math.round(clamp(v[RR], 4, 60))))
                .setSpo2(measured(SPO2, Math.round(clamp(v[SPO2], 60, 100))))
                .setTemperature(measured(TEMP, Math.round(clamp(v[TEMP], 33, 42.5) * 10) / 10.0))
                .setSystolicBp(measured(SBP, Math.round(clamp(v[SBP], 50, 250))))
                .setConsciousness(acvpu)
                .setOnOxygen(p.onOxygen)
                .setEventTime(t)
                .build();
        boolean positive = p.deteriorates && p.end - t <= HORIZON.toMillis();
        emitEvent(new SimulatedEvent(p.id, obs.getObservationId(), obs, positive), t);

        int news = News2.score(obs).total();
        double interval = config.observationInterval().toMillis() * rnd.logNormal(1.0, 0.35) / (1 + 2 * s) * (news >= 5 ? 0.5 : 1);
        long next = t + Math.max(60_000L, Math.round(interval));
        schedule.add(new BedTime(Math.min(next, p.end), bed));
    }

    private Double measured(int vital, double value) {
        return rnd.chance(MISSING[vital]) ? null : value;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static Population population(int regime) {
        return regime == 0 ? GENERAL : regime % 2 == 1 ? RESPIRATORY : SURGICAL;
    }

    private static final class Patient {
        String id;
        String ward;
        Population population;
        final double[] baseline = new double[5];
        final double[] noise = new double[5];
        boolean oxygenAtBaseline;
        boolean onOxygen;
        int temperatureSign;
        boolean deteriorates;
        long onset = Long.MAX_VALUE;
        long end;
        OutcomeType outcome;
        long nextEpisode;
        long episodeStart;
        long episodeEnd;
        double episodeAmplitude;
        int episodeType = -1;

        /** Moves the stay earlier by {@code ms}: a patient already on the ward when the simulation starts. */
        void shiftBack(long ms) {
            end -= ms;
            nextEpisode -= ms;
            if (onset != Long.MAX_VALUE) {
                onset -= ms;
            }
        }

        /** 0 until the onset, then rising to 1 at the outcome. */
        double severity(long t) {
            if (!deteriorates || t < onset) {
                return 0.0;
            }
            double f = (t - onset) / (double) Math.max(1, end - onset);
            return Math.pow(Math.min(1.0, f), 1.3);
        }

        /** The current episode's strength (rising and falling over its course), starting one when it is due. */
        double episode(long t, Rng rnd) {
            if (episodeType >= 0 && t >= episodeEnd) {
                episodeType = -1;
                nextEpisode = episodeEnd + Math.round(rnd.exponential(36 * HOUR));
            }
            if (episodeType < 0 && t >= nextEpisode) {
                episodeType = rnd.nextInt(EPISODES.length);
                episodeStart = t;
                episodeEnd = t + Math.round(rnd.uniform(1, 4) * HOUR);
                episodeAmplitude = rnd.uniform(0.25, 0.6);
            }
            if (episodeType < 0) {
                return 0.0;
            }
            double f = (t - episodeStart) / (double) (episodeEnd - episodeStart);
            return episodeAmplitude * Math.sin(Math.PI * f);
        }
    }

    private record BedTime(long time, int bed) implements Comparable<BedTime> {
        @Override
        public int compareTo(BedTime o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Integer.compare(bed, o.bed);
        }
    }
}
