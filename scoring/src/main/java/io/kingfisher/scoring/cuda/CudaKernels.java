package io.kingfisher.scoring.cuda;

import java.util.List;

/**
 * The CUDA C source of {@link CublasModel}'s element-wise kernels, compiled once per JVM with NVRTC when the first
 * model is created. Each mirrors one step of {@link io.kingfisher.scoring.reference.ReferenceNetwork} and uses the
 * round-to-nearest intrinsics ({@code __fadd_rn}, {@code __fmul_rn}, ...), which the compiler never fuses into FMAs, so
 * the device rounds exactly where the reference does. (The GEMMs are cuBLAS's; see {@link CublasPlan}.)
 *
 * <ul>
 *   <li>{@value #STANDARDIZE}{@code (x, mean, inv, width, n)}: {@code x[i] = (x[i] - mean[c]) * inv[c]},
 *       {@code c = i % width}, in place.</li>
 *   <li>{@value #EMBED}{@code (x, nIn, tables, tableMeta, columns, outWidth, y, n)}: one thread per output value of the
 *       embedding front; the column's descriptor ({@link CublasPlan#embeddingColumns()}) says whether it is an element
 *       of a looked-up table row, a dot product of two looked-up rows, or a dense input column. The row of id
 *       {@code v} is {@code floorMod((long) v, vocabulary)}, NaN to row 0 ({@link io.kingfisher.scoring.IdHash#bucket}).</li>
 *   <li>{@value #BIAS_ACT}{@code (y, bias, width, act, n)}: {@code y[i] = act(y[i] + bias[i % width])}, act 0 identity,
 *       1 ReLU, 2 sigmoid (in double, rounded once, like the reference).</li>
 * </ul>
 * Every kernel takes {@code n}, the number of elements, and returns for threads past it.
 */
public final class CudaKernels {

    public static final String STANDARDIZE = "kf_standardize";
    public static final String EMBED = "kf_embed";
    public static final String BIAS_ACT = "kf_bias_act";

    /** The kernels' names, as {@code cuModuleGetFunction} finds them ({@code extern "C"}, no mangling). */
    public static final List<String> NAMES = List.of(STANDARDIZE, EMBED, BIAS_ACT);

    /** The program's name in NVRTC's diagnostics. */
    public static final String PROGRAM_NAME = "kingfisher_scoring.cu";

    /** The source. */
    public static final String SOURCE = """
            // Kingfisher scoring kernels (io.kingfisher.scoring.cuda.CudaKernels). float32 throughout, no FMA contraction.
            extern "C" __global__ void kf_standardize(float* x, const float* mean, const float* inv, int width, int n) {
                long long gid = (long long) blockIdx.x * blockDim.x + threadIdx.x;
                if (gid >= n) return;
                int i = (int) gid;
                int c = i % width;
                x[i] = __fmul_rn(__fsub_rn(x[i], mean[c]), inv[c]);
            }

            __device__ __forceinline__ long long kf_bucket(float v, int vocabulary) {
                if (v != v) return 0;                                   // NaN: a missing id
                long long m = ((long long) v) % (long long) vocabulary;  // truncation toward zero, like Java's (long)
                return m < 0 ? m + vocabulary : m;
            }

            // tableMeta: per table (vocabulary, dimension, offset); columns: per output column (kind, a, b, 0).
            extern "C" __global__ void kf_embed(const float* x, int nIn, const float* tables, const int* tableMeta,
                                                const int* columns, int outWidth, float* y, int n) {
                long long gid = (long long) blockIdx.x * blockDim.x + threadIdx.x;
                if (gid >= n) return;
                int i = (int) gid;
                int r = i / outWidth;
                int c = i - r * outWidth;
                const float* row = x + (long long) r * nIn;
                int kind = columns[4 * c];
                int a = columns[4 * c + 1];
                int b = columns[4 * c + 2];
                if (kind == 0) {            // element b of table a's row for id column a
                    const int* t = tableMeta + 3 * a;
                    y[i] = tables[t[2] + kf_bucket(row[a], t[0]) * t[1] + b];
                } else if (kind == 1) {     // dot product of the rows of tables a and b, left to right
                    const int* ta = tableMeta + 3 * a;
                    const int* tb = tableMeta + 3 * b;
                    int d = ta[1];
                    const float* ea = tables + ta[2] + kf_bucket(row[a], ta[0]) * ta[1];
                    const float* eb = tables + tb[2] + kf_bucket(row[b], tb[0]) * tb[1];
                    float s = 0.0f;
                    for (int t = 0; t < d; t++) {
                        s = __fadd_rn(s, __fmul_rn(ea[t], eb[t]));
                    }
                    y[i] = s;
                } else {                    // dense pass-through of input column a
                    y[i] = row[a];
                }
            }

            extern "C" __global__ void kf_bias_act(float* y, const float* bias, int width, int act, int n) {
                long long gid = (long long) blockIdx.x * blockDim.x + threadIdx.x;
                if (gid >= n) return;
                int i = (int) gid;
                float z = __fadd_rn(y[i], bias[i % width]);
                if (act == 1) {
                    z = z > 0.0f ? z : 0.0f;
                } else if (act == 2) {
                    z = (float) (1.0 / (1.0 + exp(-(double) z)));
                }
                y[i] = z;
            }
            """;

    private CudaKernels() {
    }

    /**
     * @param ccMajor the device's compute capability, major
     * @param ccMinor and minor
     * @return NVRTC's options: machine code for exactly that device (no PTX JIT by the driver), no FMA contraction
     */
    public static List<String> compileOptions(int ccMajor, int ccMinor) {
        if (ccMajor < 1 || ccMinor < 0) {
            throw new IllegalArgumentException("bad compute capability " + ccMajor + "." + ccMinor);
        }
        return List.of("--gpu-architecture=sm_" + ccMajor + ccMinor, "--fmad=false");
    }
}
