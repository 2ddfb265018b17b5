package io.kingfisher.scoring;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Sets how many threads ND4J uses inside one operation. These settings are JVM-wide.
 *
 * <p>Kingfisher's choice: inside Flink jobs use {@code 1}. Flink already runs one scoring or
 * training thread per slot; letting each of them start its own OpenMP and BLAS pools
 * oversubscribes the cores (slots x pool size threads), and the small matrices of a micro-batch
 * gain little from intra-op parallelism. Offline training on a dedicated machine may leave the
 * defaults (all cores). The launcher additionally sets
 * {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=0}, which turns off JavaCPP's per-allocation
 * memory check; that is a JVM flag and cannot be set from here.
 */
public final class Nd4jThreads {

    private Nd4jThreads() {
    }

    /**
     * Limits ND4J's OpenMP (element-wise and reduction ops) and BLAS threads.
     *
     * @param threads threads per operation, {@code >= 1}
     */
    public static void configure(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        Nd4jReachability.install(); // JVM-wide, like the limits below: the jobs and benchmarks start here
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** @return ND4J's current per-operation thread limit for OpenMP ops */
    public static int current() {
        return Nd4j.getEnvironment().maxThreads();
    }
}
