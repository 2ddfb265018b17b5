package io.kingfisher.scoring;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which implementation of {@link Model} scores: the setting {@value #SETTING}.
 *
 * <ul>
 *   <li>{@link #ND4J} ({@code nd4j}, the default): {@link Dl4jModel}, ND4J on the CPU.</li>
 *   <li>{@link #CUDA} ({@code cuda}): {@code io.kingfisher.scoring.cuda.CublasModel} on the first GPU; a job fails at
 *       start-up if no GPU is usable.</li>
 *   <li>{@link #CUDA_OR_CPU} ({@code cuda-or-cpu}): the GPU if one is usable, else ND4J after one warning.</li>
 * </ul>
 */
public enum ScoringBackend {
    ND4J("nd4j"),
    CUDA("cuda"),
    CUDA_OR_CPU("cuda-or-cpu");

    /** The setting's key. */
    public static final String SETTING = "scoring.backend";

    private final String configName;

    ScoringBackend(String configName) {
        this.configName = configName;
    }

    /** @return how the setting spells it: {@code nd4j}, {@code cuda} or {@code cuda-or-cpu} */
    public String configName() {
        return configName;
    }

    /** @return true if this backend wants the GPU */
    public boolean wantsGpu() {
        return this != ND4J;
    }

    /**
     * @param value a setting value, case-insensitive, surrounding blanks ignored
     * @return the backend
     * @throws IllegalArgumentException listing the valid values
     */
    public static ScoringBackend parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (ScoringBackend b : values()) {
            if (b.configName.equals(v)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + value + "', expected " + valuesDescription());
    }

    /** @return {@code one of [nd4j, cuda, cuda-or-cpu]} */
    public static String valuesDescription() {
        return "one of " + Arrays.stream(values()).map(ScoringBackend::configName).toList();
    }

    @Override
    public String toString() {
        return configName;
    }
}
