package io.kingfisher.scoring.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CublasModel} against ND4J within 1e-5, batch sizes 1, 7 and 256, for the three domains' architectures. Needs a
 * usable GPU: elsewhere it is skipped, with the probe's reason printed. {@code scripts/gpu-check.sh run} runs the same
 * check ({@link CublasParityMain}) on a GPU machine.
 */
class CublasModelParityTest {

    @Test
    void cublasScoresMatchNd4jForEveryDomainArchitecture() {
        CudaAvailability gpu = CudaAvailability.probe();
        if (!gpu.usable()) {
            System.out.println("CublasModelParityTest SKIPPED: " + gpu.describe());
        }
        assumeTrue(gpu.usable(), () -> "skipped: " + gpu.describe());
        System.out.println("CublasModelParityTest on " + gpu.describe());
        List<CublasParity.Result> results = CublasParity.run(Backends.CUDA);
        System.out.print(CublasParity.report(results, CublasParity.Result::toString));
        for (CublasParity.Result r : results) {
            assertTrue(r.ok(), r.toString());
        }
    }

    @Test
    void theParityCheckItselfPassesWithTheReferenceAsTheDevice() {
        // The harness, checked on any machine: the plain-Java reference (what the device computes) stands in for it.
        List<CublasParity.Result> results = CublasParity.run((net, version, capacity) ->
                new io.kingfisher.scoring.reference.ReferenceModel(net, version));
        System.out.print(CublasParity.report(results, r -> "reference as device: " + r));
        for (CublasParity.Result r : results) {
            assertTrue(r.ok(), r.toString());
        }
    }
}
