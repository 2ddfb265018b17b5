package io.kingfisher.bench;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.InvalidInputException;
import io.kingfisher.features.LateEventException;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.models.WarmStart;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.sim.Simulator;
import io.kingfisher.sim.Simulators;
import io.kingfisher.trainer.OfflineTrainer;
import io.kingfisher.trainer.TrainResult;
import org.apache.avro.generic.IndexedRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The model and events the scoring benchmarks share: a domain's simulator makes {@code train + heldOut} events in
 * stream order, all featured by one {@link OfflineFeatures} (the serving feature path, state carried from the
 * training events into the held-out ones); the first {@code train} train the domain's model exactly as the warm
 * start does ({@link WarmStart#trainerConfig}), the rest are the held-out events the benchmarks score.
 */
final class BenchModels {
    private BenchModels() {
    }

    /**
     * @param domain    the domain
     * @param network   its trained float network (the caller owns and closes it)
     * @param heldOut   the held-out feature rows, row-major, {@code rows() * width}
     * @param labels    their labels, 0 or 1
     * @param width     features per row
     * @param training  how training went
     */
    record Trained(Domain domain, MultiLayerNetwork network, float[] heldOut, float[] labels, int width, TrainResult training) {
        int rows() {
            return labels.length;
        }

        int positives() {
            int n = 0;
            for (float l : labels) {
                n += l == 1f ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * @param train   simulated events to train on, {@code >= 100}
     * @param heldOut simulated events after them to score, {@code >= 1}
     * @param seed    the simulator's seed
     * @throws IllegalArgumentException if the domain has no simulator or the counts are too small
     */
    static Trained train(Domain domain, int train, int heldOut, long seed) {
        if (train < 100 || heldOut < 1) {
            throw new IllegalArgumentException("need at least 100 events to train on and 1 to score, was " + train + " and " + heldOut);
        }
        Simulator sim = Simulators.forDomain(domain, seed);
        AvroInputBinding binding = domain.inputBinding();
        OfflineFeatures features = new OfflineFeatures(domain.features());
        int width = domain.features().width();
        float[][] x = new float[train][];
        float[] y = new float[train];
        float[] rows = new float[heldOut * width];
        float[] labels = new float[heldOut];
        int n = 0;
        int total = train + heldOut;
        while (n < total) {
            SimulatedEvent ev = sim.next();
            float[] v;
            try {
                v = features.next(binding.extract((IndexedRecord) ev.value(), 0L));
            } catch (LateEventException | InvalidInputException rejected) {
                continue; // the scorer would not score it either
            }
            float label = ev.positive() ? 1f : 0f;
            if (n < train) {
                x[n] = v;
                y[n] = label;
            } else {
                System.arraycopy(v, 0, rows, (n - train) * width, width);
                labels[n - train] = label;
            }
            n++;
        }
        TrainResult result = new OfflineTrainer().train(x, y, WarmStart.trainerConfig(domain, 42L), domain.model().idEmbeddings());
        return new Trained(domain, result.network(), rows, labels, width, result);
    }

    /** A row of the held-out events, as a fresh array. */
    static float[] row(Trained t, int i) {
        float[] r = new float[t.width()];
        System.arraycopy(t.heldOut(), i * t.width(), r, 0, t.width());
        return r;
    }

    /** Fails naming the option when a count is below its minimum. */
    static void requireAtLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be >= " + min + ", was " + value);
        }
    }
}
