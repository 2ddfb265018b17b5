package io.kingfisher.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad flags and settings fail before anything starts, with the flag or key named. */
class KingfisherCliTest {
    private static String run(int expectedCode, String... args) {
        StringWriter err = new StringWriter();
        int code = Kingfisher.run(args, new PrintWriter(err, true));
        assertEquals(expectedCode, code, err.toString());
        return err.toString();
    }

    @Test
    void unknownSettingIsNamed() {
        String err = run(2, "demo", "-D", "checkpoint.intervall=1s");
        assertTrue(err.contains("checkpoint.intervall: unknown setting"), err);
    }

    @Test
    void invalidSettingValueIsNamed() {
        String err = run(2, "local", "-D", "job.parallelism=0");
        assertTrue(err.contains("job.parallelism: must be in [1, 1024], was 0"), err);
    }

    @Test
    void badDemoFlagsAreNamed() {
        assertTrue(run(2, "demo", "--rate", "fast").contains("--rate"));
        assertTrue(run(2, "demo", "--duration", "5 parsecs").contains("--duration"));
        assertTrue(run(2, "demo", "--domain", "weather").contains("unknown domain 'weather'"));
        assertTrue(run(2, "demo", "--drift", "sideways@2h").contains("--drift"));
        assertTrue(run(2, "demo", "--time-scale", "-3").contains("--time-scale"));
    }

    @Test
    void unknownFlagIsAUsageError() {
        String err = run(2, "demo", "--speed", "9");
        assertTrue(err.contains("--speed"), err);
    }

    @Test
    void anUnknownScoringBackendIsNamed() {
        String err = run(2, "local", "-D", "scoring.backend=gpu");
        assertTrue(err.contains("scoring.backend: cannot parse 'gpu', expected one of [nd4j, cuda, cuda-or-cpu]"), err);
    }

    @Test
    void cudaWithoutAUsableGpuFailsBeforeAnythingStarts() {
        org.junit.jupiter.api.Assumptions.assumeFalse(io.kingfisher.scoring.cuda.CudaAvailability.probe().usable(),
                "this machine has a usable GPU");
        String err = run(2, "local", "-D", "scoring.backend=cuda");
        assertTrue(err.contains("kingfisher: scoring.backend: cuda needs a usable GPU, and there is none: "), err);
    }

    @Test
    void theCudaScoringBenchWithoutAUsableGpuExitsNonZeroSayingWhatIsMissing() {
        io.kingfisher.scoring.cuda.CudaAvailability gpu = io.kingfisher.scoring.cuda.CudaAvailability.probe();
        org.junit.jupiter.api.Assumptions.assumeFalse(gpu.usable(), "this machine has a usable GPU");
        String err = run(Kingfisher.NO_GPU, "bench", "scoring", "--backend", "cuda", "--batch-sizes", "1,64");
        assertTrue(err.contains("kingfisher: bench scoring --backend cuda needs a usable GPU: " + gpu.missing()), err);
        assertTrue(run(2, "bench", "scoring", "--backend", "tpu").contains("unknown backend 'tpu'"));
    }

    @Test
    void theLookupWithoutTheFeaturesTopicFailsAtStartNamingTheKey() {
        String err = run(2, "local", "--lookup-port", "0", "-D", "features.publish=off");
        assertTrue(err.contains("kingfisher: features.publish: is off, so the online lookup (--lookup-port) would have "
                + "nothing to serve"), err);
        assertTrue(run(2, "local", "-D", "features.publish=sometimes").contains("features.publish"));
    }

    @Test
    void theBaselineJobAloneIsAskedFor() {
        String err = run(2, "demo", "--job", "baseline");
        assertTrue(err.contains("kingfisher: --job baseline: the baseline job has no model to fine-tune") && err.contains("add --no-learn"), err);
        assertTrue(run(2, "demo", "--job", "bare").contains("--job"));
    }
}
