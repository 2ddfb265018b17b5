package io.kingfisher.scoring.cuda;

import static org.bytedeco.cuda.global.cudart.CUDART_VERSION;
import static org.bytedeco.cuda.global.cudart.cudaErrorInsufficientDriver;
import static org.bytedeco.cuda.global.cudart.cudaErrorNoDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.Loader;

/**
 * Whether this JVM can score on a GPU, and if not, precisely what is missing: JavaCPP's CUDA bindings, the NVIDIA driver
 * ({@code libcuda.so.1}), the CUDA runtime ({@code libcudart.so.13} for the 13.x presets), a device, a device new enough
 * for this CUDA, cuBLAS or NVRTC.
 *
 * <p>{@link #probe()} runs once per JVM (JavaCPP cannot retry a failed native load in the same JVM) and is cached. It
 * never throws: every failure becomes a result that is not {@link #usable()} with {@link #missing()} saying why.
 *
 * @param usable         true if {@link CublasModel} can run here
 * @param missing        what is missing, for people; empty when usable
 * @param driverVersion  the driver's CUDA version as {@code cudaDriverGetVersion} reports it (13000 = 13.0), or 0
 * @param runtimeVersion the CUDA runtime's version (13010 = 13.1), or 0
 * @param devices        visible CUDA devices, or 0
 * @param deviceName     device 0's name, or empty
 * @param ccMajor        device 0's compute capability, major, or 0
 * @param ccMinor        and minor
 */
public record CudaAvailability(boolean usable, String missing, int driverVersion, int runtimeVersion, int devices,
                               String deviceName, int ccMajor, int ccMinor) {

    /** The CUDA version the bindings were built for ({@code CUDART_VERSION}, e.g. 13010). */
    public static final int BINDINGS_CUDA_VERSION = CUDART_VERSION;

    private static final Pattern MISSING_LIBRARY = Pattern.compile("(lib[\\w+.-]+?\\.so(?:\\.\\d+)*): cannot open shared object file");

    private static volatile CudaAvailability cached;

    /** @return the result of probing this JVM, probed on the first call */
    public static CudaAvailability probe() {
        CudaAvailability a = cached;
        if (a == null) {
            synchronized (CudaAvailability.class) {
                a = cached;
                if (a == null) {
                    a = probeNow();
                    cached = a;
                }
            }
        }
        return a;
    }

    /** @return a result that says what is missing */
    static CudaAvailability unusable(String missing) {
        return new CudaAvailability(false, missing, 0, 0, 0, "", 0, 0);
    }

    private static CudaAvailability probeNow() {
        try {
            Loader.load(cudart.class);
        } catch (Throwable t) {
            return unusable(explainLoadFailure(t, "the CUDA runtime bindings (JavaCPP cudart)", runtimeLibrary()));
        }
        try {
            int[] driver = new int[1];
            int[] runtime = new int[1];
            int code = cudart.cudaDriverGetVersion(driver);
            if (code != cudaSuccess || driver[0] == 0) {
                return unusable("no NVIDIA driver: libcuda.so.1 loaded but reports no driver (cudaDriverGetVersion "
                        + (code == cudaSuccess ? "returned 0" : "failed: " + cudaError(code)) + ")");
            }
            cudart.cudaRuntimeGetVersion(runtime);
            int[] count = new int[1];
            code = cudart.cudaGetDeviceCount(count);
            if (code != cudaSuccess || count[0] == 0) {
                String why = code == cudaErrorNoDevice || count[0] == 0
                        ? "no CUDA device visible (check the driver, nvidia-smi and CUDA_VISIBLE_DEVICES)"
                        : code == cudaErrorInsufficientDriver
                        ? "the driver (CUDA " + version(driver[0]) + ") is older than the CUDA " + version(runtime[0])
                                + " runtime"
                        : "cudaGetDeviceCount failed: " + cudaError(code);
                return new CudaAvailability(false, why, driver[0], runtime[0], 0, "", 0, 0);
            }
            int[] major = new int[1];
            int[] minor = new int[1];
            cudart.cudaDeviceGetAttribute(major, cudart.cudaDevAttrComputeCapabilityMajor, 0);
            cudart.cudaDeviceGetAttribute(minor, cudart.cudaDevAttrComputeCapabilityMinor, 0);
            String name = queryDeviceName();
            String tooOld = computeCapabilityProblem(major[0], minor[0], runtime[0]);
            if (tooOld != null) {
                return new CudaAvailability(false, tooOld + " (device 0: " + name + ")", driver[0], runtime[0], count[0],
                        name, major[0], minor[0]);
            }
            String libraries = loadLibraries();
            if (libraries != null) {
                return new CudaAvailability(false, libraries, driver[0], runtime[0], count[0], name, major[0], minor[0]);
            }
            return new CudaAvailability(true, "", driver[0], runtime[0], count[0], name, major[0], minor[0]);
        } catch (Throwable t) {
            return unusable("probing CUDA failed: " + t);
        }
    }

    private static String queryDeviceName() {
        byte[] name = new byte[256];
        if (cudart.cuInit(0) != cudart.CUDA_SUCCESS || cudart.cuDeviceGetName(name, name.length, 0) != cudart.CUDA_SUCCESS) {
            return "device 0";
        }
        int end = 0;
        while (end < name.length && name[end] != 0) {
            end++;
        }
        return new String(name, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Loads cuBLAS and NVRTC; returns what is missing, or null. */
    private static String loadLibraries() {
        try {
            Loader.load(cublas.class);
        } catch (Throwable t) {
            return explainLoadFailure(t, "cuBLAS", "libcublas.so." + majorSuffix());
        }
        try {
            Loader.load(nvrtc.class);
        } catch (Throwable t) {
            return explainLoadFailure(t, "NVRTC (the runtime compiler for the scoring kernels)", nvrtcLibrary());
        }
        return null;
    }

    /** The oldest compute capability a CUDA runtime of this version still runs, e.g. 7.5 for CUDA 13. */
    static int minimumComputeCapability(int runtimeVersion) {
        if (runtimeVersion >= 13000) {
            return 75;
        }
        if (runtimeVersion >= 12000) {
            return 50;
        }
        return 35;
    }

    /** @return why the device cannot run this CUDA, or null if it can */
    static String computeCapabilityProblem(int major, int minor, int runtimeVersion) {
        int cc = major * 10 + minor;
        int min = minimumComputeCapability(runtimeVersion);
        if (cc < min) {
            return "compute capability " + major + "." + minor + " is below " + min / 10 + "." + min % 10
                    + ", the oldest the CUDA " + version(runtimeVersion) + " runtime supports";
        }
        return null;
    }

    /**
     * @param t       what {@code Loader.load} threw
     * @param what    the bindings or library being loaded, for people
     * @param library the shared library this needs, for the hint when the message names none
     * @return which shared library is missing, where it was looked for, and how to fix it
     */
    static String explainLoadFailure(Throwable t, String what, String library) {
        String lib = missingLibrary(t);
        if (lib == null) {
            String first = String.valueOf(rootMessage(t));
            if (t instanceof NoClassDefFoundError || first.contains("Could not initialize class")) {
                return "cannot load " + what + ": an earlier load in this JVM failed (" + first + ")";
            }
            return "cannot load " + what + " (needs " + library + "): " + first;
        }
        String message = "cannot load " + what + ": " + describeLibrary(lib) + " was not found on the library path "
                + "(LD_LIBRARY_PATH, ld.so.conf)";
        String runtime = runtimeLibrary();
        if (lib.startsWith("libcuda.so") && findLibrary(runtime) == null) {
            message += "; " + describeLibrary(runtime) + " was not found either";
        }
        return message;
    }

    /** @return e.g. {@code libcudart.so.13 (the CUDA 13 runtime)} */
    static String describeLibrary(String lib) {
        if (lib.startsWith("libcuda.so")) {
            return lib + " (the NVIDIA driver's CUDA library: no driver installed, or not visible in this container)";
        }
        if (lib.startsWith("libcudart.so")) {
            return lib + " (the CUDA " + majorSuffix() + " runtime)";
        }
        if (lib.startsWith("libcublas")) {
            return lib + " (cuBLAS of CUDA " + majorSuffix() + ")";
        }
        if (lib.startsWith("libnvrtc")) {
            return lib + " (NVRTC of CUDA " + majorSuffix() + ")";
        }
        return lib;
    }

    /** @return the first shared library that a chain of {@link UnsatisfiedLinkError}s says cannot be opened, or null */
    static String missingLibrary(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                Matcher m = MISSING_LIBRARY.matcher(c.getMessage());
                if (m.find()) {
                    return m.group(1);
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    /** @return {@code libcudart.so.13} for the 13.x bindings ({@code libcudart.so.11.0} for 11.x) */
    static String runtimeLibrary() {
        return BINDINGS_CUDA_VERSION >= 12000 ? "libcudart.so." + majorSuffix() : "libcudart.so.11.0";
    }

    private static String nvrtcLibrary() {
        return BINDINGS_CUDA_VERSION >= 12000 ? "libnvrtc.so." + majorSuffix() : "libnvrtc.so.11.2";
    }

    private static int majorSuffix() {
        return BINDINGS_CUDA_VERSION / 1000;
    }

    /** @return 13010 as {@code 13.1} */
    static String version(int cudaVersion) {
        return cudaVersion / 1000 + "." + cudaVersion % 1000 / 10;
    }

    private static String cudaError(int code) {
        try {
            return cudart.cudaGetErrorString(code).getString() + " (" + code + ")";
        } catch (Throwable t) {
            return "error " + code;
        }
    }

    /**
     * Where the dynamic loader would likely find a library: {@code LD_LIBRARY_PATH}, {@code java.library.path}, the
     * folders of {@code /etc/ld.so.conf.d} and the usual system and CUDA folders. A hint for messages, not a loader.
     *
     * @return the path of the first match, or null
     */
    static Path findLibrary(String name) {
        for (String dir : librarySearchPath()) {
            Path p = Path.of(dir, name);
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<String> librarySearchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        for (String env : new String[] {System.getenv("LD_LIBRARY_PATH"), System.getProperty("java.library.path")}) {
            if (env != null) {
                for (String d : env.split(File.pathSeparator)) {
                    if (!d.isBlank()) {
                        dirs.add(d);
                    }
                }
            }
        }
        Path conf = Path.of("/etc/ld.so.conf.d");
        if (Files.isDirectory(conf)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(conf, "*.conf")) {
                for (Path f : files) {
                    for (String line : Files.readAllLines(f)) {
                        String l = line.trim();
                        if (l.startsWith("/")) {
                            dirs.add(l);
                        }
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // a hint only
            }
        }
        dirs.addAll(List.of("/lib64", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/nvidia/lib64"));
        return new ArrayList<>(dirs);
    }

    /** @return e.g. {@code NVIDIA H200 (compute capability 9.0), driver CUDA 13.0, runtime CUDA 13.0} or the problem */
    public String describe() {
        if (!usable) {
            return "no usable GPU: " + missing;
        }
        return String.format(Locale.ROOT, "%s (compute capability %d.%d), %d device(s), driver CUDA %s, runtime CUDA %s",
                deviceName, ccMajor, ccMinor, devices, version(driverVersion), version(runtimeVersion));
    }
}
