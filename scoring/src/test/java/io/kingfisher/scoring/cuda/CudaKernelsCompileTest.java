package io.kingfisher.scoring.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles {@link CudaKernels#SOURCE} with the options NVRTC gets, where a CUDA toolkit's nvcc is installed (it needs
 * no GPU): the kernels' source is checked on machines that cannot run them. Skipped without nvcc.
 */
class CudaKernelsCompileTest {

    private static Path nvcc() {
        for (String candidate : new String[] {System.getenv("NVCC"), "/usr/local/cuda/bin/nvcc"}) {
            if (candidate != null && Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, "nvcc");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    @Test
    void theKernelsCompileForHopperAndTheOldestCuda13Device(@TempDir Path dir) throws Exception {
        Path nvcc = nvcc();
        if (nvcc == null) {
            System.out.println("CudaKernelsCompileTest SKIPPED: no nvcc (set NVCC or install a CUDA toolkit)");
        }
        assumeTrue(nvcc != null, "no nvcc");
        Path source = dir.resolve(CudaKernels.PROGRAM_NAME);
        Files.writeString(source, CudaKernels.SOURCE);
        for (int[] cc : new int[][] {{9, 0}, {7, 5}}) {
            Path cubin = dir.resolve("sm_" + cc[0] + cc[1] + ".cubin");
            List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-cubin", "-o", cubin.toString()));
            for (String option : CudaKernels.compileOptions(cc[0], cc[1])) {
                cmd.add(option.replace("--gpu-architecture=", "-arch="));
            }
            cmd.add(source.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out");
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + log);
            String image = new String(Files.readAllBytes(cubin), StandardCharsets.ISO_8859_1);
            for (String kernel : CudaKernels.NAMES) {
                assertTrue(image.contains(kernel), kernel + " missing from " + cubin.getFileName());
            }
            System.out.println("nvcc compiled the scoring kernels for sm_" + cc[0] + cc[1] + ": " + Files.size(cubin) + " bytes");
        }
    }
}
