package io.kingfisher.trainer.online;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Map;

/**
 * What the {@link OnlineLearner} decided or noticed. The job turns a {@link Publish} or {@link RollBack} into a
 * stored payload and a signed snapshot, and every decision into an event on {@code <domain>.learning}.
 */
public sealed interface LearningDecision {

    /** Why, in a sentence. */
    String reason();

    /** The numbers behind it (windowed metrics of champion and candidate, golden-set AUCs, drift statistics). */
    Map<String, Double> metrics();

    /**
     * A candidate passed the gate: publish {@code network} as {@code version}.
     *
     * @param config what produced it (the member's hyperparameters, the input range), for the snapshot's trainer config
     */
    record Publish(long version, long parentVersion, MultiLayerNetwork network, String reason, Map<String, Double> metrics,
                   Map<String, String> config) implements LearningDecision {
    }

    /** The gate refused the best candidate; the champion stays. */
    record Refuse(String reason, Map<String, Double> metrics) implements LearningDecision {
    }

    /**
     * The live metrics of the newest version fell against its parent's on the same examples: publish the parent's
     * network again as {@code version} (versions only go forward, so a rollback is a new version).
     */
    record RollBack(long version, long restoredVersion, MultiLayerNetwork network, String reason, Map<String, Double> metrics)
            implements LearningDecision {
    }

    /** Drift detected by {@code detector} ({@code adwin} on the loss, {@code psi} on the features). */
    record Drift(String detector, String reason, Map<String, Double> metrics) implements LearningDecision {
    }

    /** A tuning step replaced the worst members with perturbed copies of the best. */
    record Tuned(String reason, Map<String, Double> metrics) implements LearningDecision {
    }

    /** A snapshot published by someone else (a warm start, a rollback from the command line) became the champion. */
    record Adopted(long version, String reason, Map<String, Double> metrics) implements LearningDecision {
    }
}
