package io.kingfisher.scoring.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelFactory;
import io.kingfisher.scoring.ScoringBackend;
import io.kingfisher.scoring.TestData;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** scoring.backend: nd4j, cuda (fails without a GPU, naming the key and what is missing), cuda-or-cpu (falls back). */
class BackendsTest {

    private static final CudaAvailability NO_GPU = CudaAvailability.unusable(
            "cannot load the CUDA runtime bindings (JavaCPP cudart): libcuda.so.1 (the NVIDIA driver's CUDA library) was not found");
    private static final CudaAvailability GPU = new CudaAvailability(true, "", 13000, 13000, 1, "NVIDIA H200", 9, 0);

    @Test
    void settingValuesAreSpelledAsDocumentedAndOthersAreRefusedListingThem() {
        assertEquals(ScoringBackend.ND4J, ScoringBackend.parse("nd4j"));
        assertEquals(ScoringBackend.CUDA, ScoringBackend.parse(" CUDA "));
        assertEquals(ScoringBackend.CUDA_OR_CPU, ScoringBackend.parse("cuda-or-cpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringBackend.parse("gpu"));
        assertEquals("unknown backend 'gpu', expected one of [nd4j, cuda, cuda-or-cpu]", e.getMessage());
        assertEquals("scoring.backend", ScoringBackend.SETTING);
    }

    @Test
    void nd4jNeverProbesTheGpu() {
        Backends.Resolution r = Backends.resolve(ScoringBackend.ND4J);
        assertFalse(r.gpu());
        assertSame(ModelFactory.ND4J, r.factory());
        assertNull(r.warning());
    }

    @Test
    void cudaWithoutAGpuFailsNamingTheSettingAndWhatIsMissing() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.resolve(ScoringBackend.CUDA, NO_GPU));
        assertTrue(e.getMessage().startsWith("scoring.backend: cuda needs a usable GPU"), e.getMessage());
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
        assertTrue(e.getMessage().contains("cuda-or-cpu"), "says how to fall back: " + e.getMessage());
        assertEquals(ScoringBackend.CUDA, e.backend());
        assertTrue(Backends.resolve(ScoringBackend.CUDA, GPU).gpu());
        assertSame(Backends.CUDA, Backends.resolve(ScoringBackend.CUDA, GPU).factory());
    }

    @Test
    void cudaFailsOnThisMachineWhenItHasNoGpu() {
        CudaAvailability here = CudaAvailability.probe();
        assumeFalse(here.usable(), "this machine has a usable GPU");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.factory(ScoringBackend.CUDA));
        assertTrue(e.getMessage().startsWith("scoring.backend: ") && e.getMessage().contains(here.missing()), e.getMessage());
    }

    @Test
    void cudaOrCpuFallsBackWithOneWarningPerJvm() {
        Backends.Resolution r = Backends.resolve(ScoringBackend.CUDA_OR_CPU, NO_GPU);
        assertFalse(r.gpu());
        assertEquals("nd4j", r.effective());
        assertSame(ModelFactory.ND4J, r.factory());
        assertTrue(r.warning().startsWith("scoring.backend=cuda-or-cpu: no usable GPU (") && r.warning().contains("libcuda.so.1")
                && r.warning().endsWith("scoring on ND4J (CPU) instead"), r.warning());
        assertTrue(Backends.resolve(ScoringBackend.CUDA_OR_CPU, GPU).gpu());

        assumeFalse(CudaAvailability.probe().usable(), "this machine has a usable GPU");
        List<LogEvent> warnings = new ArrayList<>();
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel() == Level.WARN) {
                    warnings.add(event.toImmutable());
                }
            }
        };
        capture.start();
        // The test classpath's log4j configuration may switch logging off: give Backends its own logger config here.
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        String name = Backends.class.getName();
        LoggerConfig own = new LoggerConfig(name, Level.WARN, false);
        own.addAppender(capture, Level.WARN, null);
        config.addLogger(name, own);
        context.updateLoggers();
        try {
            Backends.resetWarning();
            for (int subtask = 0; subtask < 3; subtask++) {
                assertSame(ModelFactory.ND4J, Backends.factory(ScoringBackend.CUDA_OR_CPU));
            }
        } finally {
            config.removeLogger(name);
            context.updateLoggers();
        }
        assertEquals(1, warnings.size(), "one WARN line however many scorers resolve the setting");
        assertTrue(warnings.get(0).getMessage().getFormattedMessage().contains("scoring on ND4J (CPU) instead"));
    }

    @Test
    void cudaOrCpuWithoutAGpuScoresExactlyLikeNd4j() {
        assumeFalse(CudaAvailability.probe().usable(), "this machine has a usable GPU");
        MultiLayerNetwork net = TestData.trainedMlp(21, new int[] {32, 16}, 8L);
        float[] x = TestData.features(64, 21, 9L);
        double[] nd4j = new double[64];
        double[] fallback = new double[64];
        try (Model a = ModelFactory.ND4J.create(net.clone(), 1L, 64);
             Model b = Backends.factory(ScoringBackend.CUDA_OR_CPU).create(net.clone(), 1L, 64)) {
            assertInstanceOf(Dl4jModel.class, b);
            a.scoreBatch(x, 64, nd4j);
            b.scoreBatch(x, 64, fallback);
        }
        net.close();
        for (int i = 0; i < 64; i++) {
            assertEquals(nd4j[i], fallback[i], 0.0, "row " + i);
        }
    }
}
