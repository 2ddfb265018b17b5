package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The GPU parity check shared by {@link CublasModelParityTest} and {@link CublasParityMain}: each domain shape's
 * network scored by a device model and by ND4J ({@code output(x, false)}) on the same rows at batch sizes 1, 7 and 256
 * (and once more through a second model instance, i.e. another stream), every score within {@link #TOLERANCE}. The
 * sizes are run twice with different rows: a {@link CublasModel} captures a CUDA graph on a row count's first batch and
 * replays it on the second, which must read the new rows.
 */
final class CublasParity {
    static final double TOLERANCE = 1e-5;
    static final int[] BATCHES = {1, 7, 256};

    /** One domain's outcome. */
    record Result(String domain, String architecture, double maxAbsDiff, int scores, String graphs) {
        boolean ok() {
            return maxAbsDiff <= TOLERANCE;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-9s %-45s %5d scores  max |device - nd4j| = %.3e  %s%s", domain,
                    architecture, scores, maxAbsDiff, ok() ? "ok" : "OVER " + TOLERANCE, graphs);
        }
    }

    private CublasParity() {
    }

    /**
     * @param device makes the device model from a network copy (e.g. {@link Backends#CUDA}); for a dry run on a machine
     *               without a GPU, any other {@link ModelFactory}
     */
    static List<Result> run(ModelFactory device) {
        List<Result> results = new ArrayList<>();
        for (DomainNetworks.Shape shape : DomainNetworks.SHAPES) {
            MultiLayerNetwork net = DomainNetworks.build(shape, 21L);
            double worst = 0;
            int scores = 0;
            try (Model model = device.create(net.clone(), 1L, 256); Model second = device.create(net.clone(), 2L, 256)) {
                for (int pass = 0; pass < 2; pass++) {
                    for (int rows : BATCHES) {
                        float[] x = DomainNetworks.rows(shape, rows, 70L + rows + 1000L * pass);
                        INDArray expected = net.output(Nd4j.create(x, new long[] {rows, shape.inputs()}, 'c'), false);
                        for (Model m : List.of(model, second)) {
                            double[] out = new double[rows];
                            m.scoreBatch(x, rows, out);
                            for (int r = 0; r < rows; r++) {
                                worst = Math.max(worst, Math.abs(out[r] - expected.getDouble(r, 0)));
                                if (Double.isNaN(out[r])) {
                                    worst = Double.POSITIVE_INFINITY;
                                }
                            }
                            scores += rows;
                        }
                        float[] first = new float[shape.inputs()];
                        System.arraycopy(x, 0, first, 0, first.length);
                        worst = Math.max(worst, Math.abs(model.score(first) - expected.getDouble(0, 0)));
                    }
                }
                String graphs = model instanceof CublasModel c ? (c.usesGraphs() ? "  (CUDA graphs)" : "  (no CUDA graphs)") : "";
                results.add(new Result(shape.domain(), Architectures.describe(net), worst, scores, graphs));
            } finally {
                net.close();
            }
        }
        return results;
    }

    /** @return the results, one per line */
    static String report(List<Result> results, Function<Result, String> line) {
        StringBuilder b = new StringBuilder();
        results.forEach(r -> b.append(line.apply(r)).append('\n'));
        return b.toString();
    }
}
