package io.kingfisher.sim;

import io.kingfisher.domain.Domain;

/** The simulator of each built-in domain. */
public final class Simulators {
    private Simulators() {
    }

    /** A fresh simulator for the domain, deterministic for the seed. */
    public static Simulator forDomain(Domain domain, long seed) {
        return switch (domain.name()) {
            case "fraud" -> FraudSimulator.withDefaults(seed);
            default -> throw new IllegalArgumentException("no simulator for domain '" + domain.name() + "'");
        };
    }
}
