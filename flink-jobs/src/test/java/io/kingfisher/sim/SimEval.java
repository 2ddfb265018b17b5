package io.kingfisher.sim;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.trainer.eval.BinaryMetrics;
import io.kingfisher.jobs.LabelFeatureDecodeFunction;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a simulator's stream with a trained network through the offline feature path, as the scoring job would,
 * and collects scores and ground truth by event time, so a test can compare AUCs before and after a drift point.
 */
final class SimEval {
    private final AvroInputBinding binding;
    private final OfflineFeatures features;
    private final Domain domain;
    private final boolean labelFeatures;

    SimEval(Domain domain) {
        this.domain = domain;
        this.labelFeatures = domain.features().hasLabelFeatures();
        this.binding = domain.inputBinding();
        this.features = new OfflineFeatures(domain.features());
    }

    /** Feature rows with their labels and event times. */
    static final class Rows {
        final List<float[]> x = new ArrayList<>();
        final List<Float> y = new ArrayList<>();
        final List<Long> t = new ArrayList<>();

        int size() {
            return x.size();
        }

        long positives() {
            return y.stream().filter(v -> v == 1f).count();
        }

        /** AUC of the network on the rows with event time in [from, to). */
        double auc(MultiLayerNetwork net, long from, long to) {
            List<float[]> xs = new ArrayList<>();
            List<Float> ys = new ArrayList<>();
            for (int i = 0; i < x.size(); i++) {
                if (t.get(i) >= from && t.get(i) < to) {
                    xs.add(x.get(i));
                    ys.add(y.get(i));
                }
            }
            double[] scores = score(net, xs);
            float[] labels = new float[ys.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = ys.get(i);
            }
            return BinaryMetrics.auc(scores, labels);
        }

        long positives(long from, long to) {
            long n = 0;
            for (int i = 0; i < x.size(); i++) {
                if (t.get(i) >= from && t.get(i) < to && y.get(i) == 1f) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Runs {@code events} events of the simulator through the features (state carries over between calls). */
    Rows collect(Simulator sim, int events) {
        return collect(sim, events, e -> { });
    }

    /** As {@link #collect(Simulator, int)}, also handing every event to {@code also}. */
    Rows collect(Simulator sim, int events, java.util.function.Consumer<SimulatedEvent> also) {
        Rows rows = new Rows();
        for (int i = 0; i < events; ) {
            SimulatedRecord r = labelFeatures ? sim.nextRecord() : sim.next();
            if (r instanceof SimulatedLabel l) { // known from now on, as the scoring job's label features read it
                features.label(LabelFeatureDecodeFunction.toInput(domain.labels(), domain.features(), (GenericRecord) l.value(), 0L));
                continue;
            }
            i++;
            SimulatedEvent ev = (SimulatedEvent) r;
            also.accept(ev);
            InputEvent in = binding.extract((IndexedRecord) ev.value(), 0L);
            rows.x.add(features.next(in));
            rows.y.add(ev.positive() ? 1f : 0f);
            rows.t.add(in.eventTime);
        }
        return rows;
    }

    static double[] score(MultiLayerNetwork net, List<float[]> rows) {
        double[] out = new double[rows.size()];
        int width = rows.isEmpty() ? 0 : rows.get(0).length;
        for (int from = 0; from < rows.size(); from += 4096) {
            int n = Math.min(4096, rows.size() - from);
            float[] flat = new float[n * width];
            for (int r = 0; r < n; r++) {
                System.arraycopy(rows.get(from + r), 0, flat, r * width, width);
            }
            double[] s = net.output(Nd4j.create(flat, new long[] {n, width}, 'c'), false).toDoubleVector();
            System.arraycopy(s, 0, out, from, n);
        }
        return out;
    }
}
