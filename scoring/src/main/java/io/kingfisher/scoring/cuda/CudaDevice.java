package io.kingfisher.scoring.cuda;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.cuda.global.cudart.cuGetErrorString;
import static org.bytedeco.cuda.global.cudart.cuInit;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.nvrtc.NVRTC_SUCCESS;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBIN;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBINSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device 0 as this JVM uses it: its primary context (retained once, shared by every {@link CublasModel}, the same
 * context the CUDA runtime and cuBLAS use) and the scoring kernels ({@link CudaKernels}), compiled once with NVRTC for
 * exactly this device's compute capability and loaded as a module. Also the error checks of the three CUDA APIs.
 */
final class CudaDevice {
    private static final Logger LOG = LoggerFactory.getLogger(CudaDevice.class);
    private static final int ORDINAL = 0;

    private static CudaDevice instance;

    private final CUctx_st context;
    private final Map<String, CUfunc_st> functions;
    private final String description;

    private CudaDevice(CUctx_st context, Map<String, CUfunc_st> functions, String description) {
        this.context = context;
        this.functions = functions;
        this.description = description;
    }

    /**
     * @return device 0, initialised and with the kernels compiled on the first call
     * @throws BackendUnavailableException if the probe finds no usable GPU
     * @throws CudaException               if initialising or compiling fails
     */
    static synchronized CudaDevice get() {
        if (instance == null) {
            CudaAvailability gpu = CudaAvailability.probe();
            if (!gpu.usable()) {
                throw new BackendUnavailableException(io.kingfisher.scoring.ScoringBackend.CUDA, gpu.missing());
            }
            long t0 = System.nanoTime();
            check(cudaSetDevice(ORDINAL), "cudaSetDevice(0)");
            check(cudaFree(null), "cudaFree(0) (runtime initialisation)");
            checkDriver(cuInit(0), "cuInit");
            int[] device = new int[1];
            checkDriver(cuDeviceGet(device, ORDINAL), "cuDeviceGet");
            CUctx_st ctx = new CUctx_st();
            checkDriver(cuDevicePrimaryCtxRetain(ctx, device[0]), "cuDevicePrimaryCtxRetain");
            checkDriver(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            byte[] image = compile(CudaKernels.compileOptions(gpu.ccMajor(), gpu.ccMinor()));
            CUmod_st module = new CUmod_st();
            BytePointer imagePointer = new BytePointer(image);
            checkDriver(cuModuleLoadData(module, imagePointer), "cuModuleLoadData");
            Map<String, CUfunc_st> fns = new HashMap<>();
            for (String name : CudaKernels.NAMES) {
                CUfunc_st f = new CUfunc_st();
                checkDriver(cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
                fns.put(name, f);
            }
            instance = new CudaDevice(ctx, Map.copyOf(fns), gpu.describe());
            LOG.info("CUDA scoring kernels compiled with NVRTC for sm_{}{} and loaded in {} ms on {}", gpu.ccMajor(),
                    gpu.ccMinor(), (System.nanoTime() - t0) / 1_000_000, gpu.describe());
        }
        return instance;
    }

    /** NVRTC: the kernels' source to a cubin for the given options; fails with the compiler's log. */
    private static byte[] compile(List<String> options) {
        _nvrtcProgram program = new _nvrtcProgram();
        checkNvrtc(nvrtcCreateProgram(program, new BytePointer(CudaKernels.SOURCE), new BytePointer(CudaKernels.PROGRAM_NAME),
                0, (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram");
        try {
            int rc = nvrtcCompileProgram(program, options.size(), new PointerPointer<>(options.toArray(new String[0])));
            if (rc != NVRTC_SUCCESS) {
                SizeTPointer logSize = new SizeTPointer(1);
                nvrtcGetProgramLogSize(program, logSize);
                BytePointer log = new BytePointer(Math.max(1, logSize.get()));
                nvrtcGetProgramLog(program, log);
                throw new CudaException("NVRTC could not compile the scoring kernels with " + options + ": "
                        + nvrtcGetErrorString(rc).getString() + "\n" + log.getString());
            }
            SizeTPointer size = new SizeTPointer(1);
            checkNvrtc(nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            BytePointer cubin = new BytePointer(size.get());
            checkNvrtc(nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
            byte[] bytes = new byte[(int) size.get()];
            cubin.get(bytes);
            return bytes;
        } finally {
            nvrtcDestroyProgram(program);
        }
    }

    /** Makes the shared context current on the calling thread (the scoring thread is not the one that loaded). */
    void makeCurrent() {
        checkDriver(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    /** @param name one of {@link CudaKernels#NAMES} */
    CUfunc_st function(String name) {
        CUfunc_st f = functions.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no kernel " + name);
        }
        return f;
    }

    /** @return the probe's description of the device */
    String description() {
        return description;
    }

    /** A CUDA runtime call's status. */
    static void check(int status, String call) {
        if (status != cudaSuccess) {
            throw new CudaException(call + " failed: " + cudaGetErrorString(status).getString() + " (cudaError " + status + ")");
        }
    }

    /** A CUDA driver call's status. */
    static void checkDriver(int status, String call) {
        if (status != CUDA_SUCCESS) {
            String text = "CUresult " + status;
            PointerPointer<BytePointer> message = new PointerPointer<>(1);
            if (cuGetErrorString(status, message) == CUDA_SUCCESS && message.get(0) != null) {
                text = new BytePointer(message.get(0)).getString() + " (" + text + ")";
            }
            throw new CudaException(call + " failed: " + text);
        }
    }

    /** A cuBLAS call's status. */
    static void checkBlas(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: " + cublas.cublasGetStatusString(status).getString()
                    + " (cublasStatus " + status + ")");
        }
    }

    /** An NVRTC call's status. */
    static void checkNvrtc(int status, String call) {
        if (status != NVRTC_SUCCESS) {
            throw new CudaException(call + " failed: " + nvrtcGetErrorString(status).getString());
        }
    }
}
