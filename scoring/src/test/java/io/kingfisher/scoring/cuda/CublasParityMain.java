package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.ModelFactory;
import io.kingfisher.scoring.reference.ReferenceModel;
import java.util.List;

/**
 * The GPU parity check as a program, for machines with a JRE but no test runner ({@code scripts/gpu-check.sh run}):
 * prints one line per domain and exits 0 if every score is within tolerance, 1 if one is not, 4 if no GPU is usable
 * (printing what is missing). {@code --reference} runs the plain-Java reference in the device's place (no GPU needed:
 * checks the program and lists the classes it loads).
 */
public final class CublasParityMain {
    private CublasParityMain() {
    }

    public static void main(String[] args) {
        boolean reference = List.of(args).contains("--reference");
        ModelFactory device;
        if (reference) {
            device = (net, version, capacity) -> {
                ReferenceModel m = new ReferenceModel(net, version);
                net.close();
                return m;
            };
            System.out.println("parity: the plain-Java reference stands in for the device");
        } else {
            CudaAvailability gpu = CudaAvailability.probe();
            if (!gpu.usable()) {
                System.err.println("parity: " + gpu.describe());
                System.exit(4);
            }
            System.out.println("parity: " + gpu.describe());
            device = Backends.CUDA;
        }
        List<CublasParity.Result> results = CublasParity.run(device);
        System.out.print(CublasParity.report(results, CublasParity.Result::toString));
        boolean ok = results.stream().allMatch(CublasParity.Result::ok);
        System.out.println(ok ? "parity: PASSED (tolerance " + CublasParity.TOLERANCE + ")" : "parity: FAILED");
        System.exit(ok ? 0 : 1);
    }
}
