package io.kingfisher.scoring.cuda;

import io.kingfisher.scoring.ModelFactory;
import io.kingfisher.scoring.ScoringBackend;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the {@code scoring.backend} setting into the {@link ModelFactory} that makes the served models.
 *
 * <ul>
 *   <li>{@code nd4j}: {@link ModelFactory#ND4J}; CUDA is never touched.</li>
 *   <li>{@code cuda}: {@link CublasModel}s if {@link CudaAvailability#probe()} finds a usable GPU, else a
 *       {@link BackendUnavailableException} naming the setting and what is missing (a job fails at start-up).</li>
 *   <li>{@code cuda-or-cpu}: the GPU if usable, else ND4J, after one WARN line per JVM (however many scorers resolve
 *       the setting).</li>
 * </ul>
 */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** The {@link CublasModel} factory. */
    public static final ModelFactory CUDA = CublasModel::new;

    private Backends() {
    }

    /**
     * What a setting comes to on a machine.
     *
     * @param requested the setting
     * @param gpu       true if models will be {@link CublasModel}s
     * @param warning   for a fallback to ND4J, the line to log; else null
     */
    public record Resolution(ScoringBackend requested, boolean gpu, String warning) {
        /** @return the model factory */
        public ModelFactory factory() {
            return gpu ? CUDA : ModelFactory.ND4J;
        }

        /** @return {@code cuda} or {@code nd4j}: the backend that will score */
        public String effective() {
            return gpu ? ScoringBackend.CUDA.configName() : ScoringBackend.ND4J.configName();
        }
    }

    /**
     * Resolves a setting against a probe result; no side effects.
     *
     * @throws BackendUnavailableException for {@code cuda} when {@code gpu} is not usable
     */
    public static Resolution resolve(ScoringBackend requested, CudaAvailability gpu) {
        return switch (requested) {
            case ND4J -> new Resolution(requested, false, null);
            case CUDA -> {
                if (!gpu.usable()) {
                    throw new BackendUnavailableException(requested, "cuda needs a usable GPU, and there is none: "
                            + gpu.missing() + ". Set " + ScoringBackend.SETTING + "=cuda-or-cpu to fall back to ND4J "
                            + "on the CPU, or nd4j");
                }
                yield new Resolution(requested, true, null);
            }
            case CUDA_OR_CPU -> gpu.usable() ? new Resolution(requested, true, null)
                    : new Resolution(requested, false, ScoringBackend.SETTING + "=cuda-or-cpu: no usable GPU ("
                            + gpu.missing() + "); scoring on ND4J (CPU) instead");
        };
    }

    /**
     * Resolves a setting on this JVM ({@link CudaAvailability#probe()}, only for the GPU settings), logging the
     * fallback warning once per JVM, or the GPU once per resolution at INFO.
     *
     * @return the resolution
     * @throws BackendUnavailableException for {@code cuda} without a usable GPU
     */
    public static Resolution resolve(ScoringBackend requested) {
        if (requested == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        if (!requested.wantsGpu()) {
            return resolve(requested, CudaAvailability.unusable("not probed"));
        }
        CudaAvailability gpu = CudaAvailability.probe();
        Resolution r = resolve(requested, gpu);
        if (r.warning() != null) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn("{}", r.warning());
            }
        } else {
            LOG.info("{}={}: scoring with cuBLAS on {}", ScoringBackend.SETTING, requested.configName(), gpu.describe());
        }
        return r;
    }

    /** @return the model factory for a setting on this JVM; see {@link #resolve(ScoringBackend)} */
    public static ModelFactory factory(ScoringBackend requested) {
        return resolve(requested).factory();
    }

    /** Lets a test see the once-per-JVM warning again. */
    static void resetWarning() {
        WARNED.set(false);
    }
}
