package io.kingfisher.scoring.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

/** The probe says precisely what is missing; on a machine without a GPU it says so. */
class CudaAvailabilityTest {

    @Test
    void onAMachineWithoutCudaTheProbeNamesTheMissingLibrary() {
        CudaAvailability gpu = CudaAvailability.probe();
        System.out.println("CUDA probe: " + gpu.describe());
        assumeFalse(gpu.usable(), "this machine has a usable GPU: " + gpu.describe());
        assertFalse(gpu.missing().isBlank());
        assertTrue(gpu.missing().contains("libcuda.so.1") || gpu.missing().contains(CudaAvailability.runtimeLibrary())
                || gpu.missing().contains("no CUDA device"), gpu.missing());
        assertTrue(gpu.describe().startsWith("no usable GPU: "), gpu.describe());
        assertSame(gpu, CudaAvailability.probe(), "probed once per JVM");
    }

    @Test
    void theMissingSharedLibraryIsReadFromTheLinkError() {
        UnsatisfiedLinkError cause = new UnsatisfiedLinkError("cache/cuda.jar/org/bytedeco/cuda/linux-x86_64/"
                + "libjnicudart.so: libcudart.so.13: cannot open shared object file: No such file or directory");
        UnsatisfiedLinkError outer = new UnsatisfiedLinkError("no jnicudart in java.library.path: /usr/lib");
        outer.initCause(cause);
        assertEquals("libcudart.so.13", CudaAvailability.missingLibrary(outer));
        assertEquals("libcuda.so.1", CudaAvailability.missingLibrary(new UnsatisfiedLinkError(
                "libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory")));
        assertNull(CudaAvailability.missingLibrary(new UnsatisfiedLinkError("no jnicudart in java.library.path")));

        String runtime = CudaAvailability.explainLoadFailure(outer, "the CUDA runtime bindings", "libcudart.so.13");
        assertTrue(runtime.contains("libcudart.so.13 (the CUDA 13 runtime) was not found"), runtime);
        String driver = CudaAvailability.explainLoadFailure(new UnsatisfiedLinkError(
                "libjnicudart.so: libcuda.so.1: cannot open shared object file"), "the CUDA runtime bindings", "");
        assertTrue(driver.contains("libcuda.so.1 (the NVIDIA driver's CUDA library"), driver);
        String other = CudaAvailability.explainLoadFailure(new UnsatisfiedLinkError("something else"), "cuBLAS",
                "libcublas.so.13");
        assertTrue(other.contains("cuBLAS") && other.contains("libcublas.so.13") && other.contains("something else"), other);
        String again = CudaAvailability.explainLoadFailure(new NoClassDefFoundError(
                "Could not initialize class org.bytedeco.cuda.global.cudart"), "the CUDA runtime bindings", "libcudart.so.13");
        assertTrue(again.contains("an earlier load in this JVM failed"), again);
    }

    @Test
    void computeCapabilityBelowWhatTheRuntimeSupportsIsNamed() {
        assertNull(CudaAvailability.computeCapabilityProblem(9, 0, 13000));
        assertNull(CudaAvailability.computeCapabilityProblem(7, 5, 13010));
        String old = CudaAvailability.computeCapabilityProblem(7, 0, 13000);
        assertEquals("compute capability 7.0 is below 7.5, the oldest the CUDA 13.0 runtime supports", old);
        assertNull(CudaAvailability.computeCapabilityProblem(6, 1, 11060));
        assertEquals("13.1", CudaAvailability.version(13010));
        assertEquals("11.6", CudaAvailability.version(11060));
    }

    @Test
    void theBindingsAreCuda13AndNeedItsRuntime() {
        // Default build: org.bytedeco:cuda 13.1 presets (under -Pcuda the 11.6 ones).
        assertTrue(CudaAvailability.BINDINGS_CUDA_VERSION >= 11000, "" + CudaAvailability.BINDINGS_CUDA_VERSION);
        if (CudaAvailability.BINDINGS_CUDA_VERSION >= 13000) {
            assertEquals("libcudart.so.13", CudaAvailability.runtimeLibrary());
        }
    }
}
