/**
 * Simulators of the built-in domains with a hidden ground truth, deterministic for a seed, to develop, test and
 * benchmark the learning loop against: events and, in emission order among them, the labels that settle them later
 * ({@link io.kingfisher.sim.Simulator#nextRecord()}); held-up events that arrive out of order
 * ({@link io.kingfisher.sim.Transport}); a drift schedule that changes the world abruptly or gradually
 * ({@link io.kingfisher.sim.DriftSchedule}); a time scale that sizes the world for a producer's rate
 * ({@link io.kingfisher.sim.TimeScale}). {@link io.kingfisher.sim.Simulators} builds the one of a domain.
 */
package io.kingfisher.sim;
