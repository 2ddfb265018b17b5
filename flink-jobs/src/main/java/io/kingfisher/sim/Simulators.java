package io.kingfisher.sim;

import io.kingfisher.domain.Domain;

/**
 * The simulator of each built-in domain, with its built-in drift schedule (all times are simulated time since
 * the start, 2026-01-01T00:00Z):
 * <ul>
 *   <li>fraud {@value #FRAUD_DRIFT}: cloned cards appear on day 4; card testing takes over during days 10 to 12;</li>
 *   <li>clicks {@value #CLICKS_DRIFT}: tastes shift during the second day, and again at once on day 3;</li>
 *   <li>clinical {@value #CLINICAL_DRIFT}: respiratory patients are admitted from day 3; surgical patients take over
 *       the admissions during days 8 to 10.</li>
 * </ul>
 * Held-up events follow {@link Transport#DEFAULT} unless the options say otherwise.
 */
public final class Simulators {
    /** Fraud's built-in drift schedule. */
    public static final String FRAUD_DRIFT = "abrupt@4d,gradual@10d+2d";
    /** Clicks' built-in drift schedule. */
    public static final String CLICKS_DRIFT = "gradual@1d+12h,abrupt@3d";
    /** Clinical's built-in drift schedule. */
    public static final String CLINICAL_DRIFT = "abrupt@3d,gradual@8d+2d";
    private static final int FRAUD_CARDS = 20_000;
    private static final double FRAUD_TXNS_PER_DAY = 3.0;
    private static final double FRAUD_SHARE = 0.003;

    private Simulators() {
    }

    /**
     * What a simulator is built with.
     *
     * @param drift     a drift spec ({@link DriftSchedule}): {@code default}, {@code none} or points
     * @param timeScale how fast simulated time runs at the producer's rate ({@link TimeScale#NATURAL}: default
     *                  population)
     * @param transport how events are held up on their way
     */
    public record Options(String drift, TimeScale timeScale, Transport transport) {
        public Options {
            if (drift == null || timeScale == null || transport == null) {
                throw new IllegalArgumentException("simulation options need a drift spec, a time scale and a transport");
            }
        }

        /** The domain's drift, its default population, {@link Transport#DEFAULT}. */
        public static Options defaults() {
            return new Options("default", TimeScale.NATURAL, Transport.DEFAULT);
        }

        public Options withDrift(String spec) {
            return new Options(spec, timeScale, transport);
        }

        public Options withTimeScale(TimeScale scale) {
            return new Options(drift, scale, transport);
        }

        public Options withTransport(Transport t) {
            return new Options(drift, timeScale, t);
        }
    }

    /** A fresh simulator for the domain, deterministic for the seed: its drift, its default population. */
    public static Simulator forDomain(Domain domain, long seed) {
        return forDomain(domain, seed, Options.defaults());
    }

    /**
     * A fresh simulator for the domain, deterministic for the seed.
     *
     * @param driftSpec {@code default}, {@code none} or drift points ({@link DriftSchedule})
     * @param timeScale simulated seconds per wall second at the producer's rate, or {@link TimeScale#NATURAL}
     * @throws IllegalArgumentException naming what is wrong with the spec, or when the scale leaves no population
     */
    public static Simulator forDomain(Domain domain, long seed, String driftSpec, TimeScale timeScale) {
        return forDomain(domain, seed, Options.defaults().withDrift(driftSpec).withTimeScale(timeScale));
    }

    /** A fresh simulator for the domain, deterministic for the seed and the options. */
    public static Simulator forDomain(Domain domain, long seed, Options options) {
        DriftSchedule drift = DriftSchedule.parse(options.drift(), builtInDrift(domain.name()));
        TimeScale scale = options.timeScale();
        Transport transport = options.transport();
        return switch (domain.name()) {
            case "fraud" -> {
                int cards = scale.isNatural() ? FRAUD_CARDS
                        : FraudSimulator.cardsFor(scale.simulatedEventsPerSecond(), FRAUD_TXNS_PER_DAY);
                yield new FraudSimulator(seed, cards, FRAUD_TXNS_PER_DAY, FRAUD_SHARE, FraudSimulator.DEFAULT_START, drift, transport);
            }
            case "clicks" -> new ClicksSimulator(seed, scale.isNatural() ? ClicksSimulator.Config.defaults()
                    : ClicksSimulator.Config.forRate(scale.simulatedEventsPerSecond()), drift, transport);
            case "clinical" -> new ClinicalSimulator(seed, scale.isNatural() ? ClinicalSimulator.Config.defaults()
                    : ClinicalSimulator.Config.forRate(scale.simulatedEventsPerSecond()), drift, transport);
            default -> throw new IllegalArgumentException("no simulator for domain '" + domain.name() + "'");
        };
    }

    /** @return the domain's built-in drift schedule */
    public static DriftSchedule builtInDrift(String domain) {
        return switch (domain) {
            case "fraud" -> DriftSchedule.parse(FRAUD_DRIFT);
            case "clicks" -> DriftSchedule.parse(CLICKS_DRIFT);
            case "clinical" -> DriftSchedule.parse(CLINICAL_DRIFT);
            default -> throw new IllegalArgumentException("no simulator for domain '" + domain + "'");
        };
    }

    /**
     * @return events per simulated second at the domain's default population: at {@code rate} events per wall
     *     second, simulated time runs {@code rate / this} times faster than the wall clock
     */
    public static double naturalEventsPerSimulatedSecond(String domain) {
        return switch (domain) {
            case "fraud" -> FRAUD_CARDS * FRAUD_TXNS_PER_DAY / (1 - FRAUD_SHARE) / 86_400;
            case "clicks" -> ClicksSimulator.Config.defaults().eventsPerSimulatedSecond();
            case "clinical" -> ClinicalSimulator.Config.defaults().eventsPerSimulatedSecond();
            default -> throw new IllegalArgumentException("no simulator for domain '" + domain + "'");
        };
    }
}
