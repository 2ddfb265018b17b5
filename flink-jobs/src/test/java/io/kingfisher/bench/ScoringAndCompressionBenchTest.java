package io.kingfisher.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kingfisher.domain.BuiltInDomains;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scoring and compression benchmarks on one small domain: the figures they promise are there and sane (no speed assertions). */
class ScoringAndCompressionBenchTest {
    private static BenchModels.Trained clinical;

    @BeforeAll
    static void train() {
        clinical = BenchModels.train(BuiltInDomains.clinical(), 4_000, 400, 3L);
    }

    @Test
    void heldOutEventsComeAfterTheTrainingOnesAndHaveBothClasses() {
        assertEquals(400, clinical.rows());
        assertEquals(400 * BuiltInDomains.clinical().features().width(), clinical.heldOut().length);
        assertTrue(clinical.positives() > 0 && clinical.positives() < 400, "positives " + clinical.positives());
        assertEquals("mlp(" + clinical.width() + "-32-16-1)", clinical.training().architecture());
    }

    @Test
    void scoringBenchReportsBothPathsPerBatchSize(@TempDir Path dir) throws Exception {
        Map<String, Object> r = ScoringBench.measure(clinical, List.of(32, 8));
        for (String key : List.of(ScoringBench.BATCHED_EPS, ScoringBench.NAIVE_EPS, ScoringBench.RATIO, ScoringBench.P50_MS,
                ScoringBench.P99_MS, ScoringBench.NAIVE_P50_MS, ScoringBench.NAIVE_P99_MS)) {
            double v = ((Number) r.get(key)).doubleValue();
            assertTrue(v > 0 && Double.isFinite(v), key + " = " + v);
        }
        assertTrue(((Number) r.get(ScoringBench.P99_MS)).doubleValue() >= ((Number) r.get(ScoringBench.P50_MS)).doubleValue());
        assertEquals(32, r.get(ScoringBench.BATCH_SIZE), "the largest batch is the headline");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> batches = (Map<String, Map<String, Object>>) r.get(ScoringBench.BATCHES);
        assertEquals(List.of("8", "32"), List.copyOf(batches.keySet()));
        assertEquals(r.get(ScoringBench.BATCHED_EPS), batches.get("32").get("eps"));

        Path json = dir.resolve("scoring.json");
        FeatureBench.writeJson(Map.of("clinical", r), json);
        Map<String, Map<String, Object>> read = new ObjectMapper().readValue(json.toFile(), new TypeReference<>() {
        });
        assertTrue(read.get("clinical").keySet().containsAll(List.of("batched_eps", "naive_eps", "ratio", "p50_ms", "p99_ms")));
        assertTrue(ScoringBench.table(Map.of("clinical", r)).lines().anyMatch(l -> l.startsWith("clinical")));
    }

    @Test
    void compressionBenchScoresTheSameEventsWithBothModels() throws Exception {
        BenchModels.Trained copy = new BenchModels.Trained(clinical.domain(), clinical.network().clone(), clinical.heldOut(),
                clinical.labels(), clinical.width(), clinical.training());
        Map<String, Double> r = CompressionBench.measure(copy);
        assertTrue(r.get(CompressionBench.INT8_BYTES) < r.get(CompressionBench.FLOAT_PARAMS_BYTES), r.toString());
        assertTrue(r.get(CompressionBench.FLOAT_PARAMS_BYTES) < r.get(CompressionBench.FLOAT_BYTES), "the stored one has the updater");
        assertTrue(Math.abs(r.get(CompressionBench.AUC_CHANGE)) < 0.01, r.toString());
        assertTrue(r.get(CompressionBench.MAX_ABS_SCORE_DIFF) < 0.1, r.toString());
        assertEquals(400.0, r.get(CompressionBench.EVENTS));
        assertTrue(CompressionBench.table(Map.of("clinical", r)).contains("clinical"));
    }

    @Test
    void percentilesAreNearestRankAndBadOptionsAreNamed() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, ScoringBench.percentile(sorted, 0.5));
        assertEquals(10, ScoringBench.percentile(sorted, 0.99));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringBench.run(10, 1000, List.of(64)));
        assertTrue(e.getMessage().contains("--train"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScoringBench.run(5000, 1000, List.of(0)));
        assertTrue(e.getMessage().contains("--batch"), e.getMessage());
    }

    @Test
    void cudaBenchComparesADeviceModelWithNd4jPerBatchSize() {
        // The plain-Java reference (what the GPU computes) stands in for the device: the bench's logic without a GPU.
        io.kingfisher.scoring.ModelFactory reference = (net, version, capacity) -> {
            io.kingfisher.scoring.reference.ReferenceModel m = new io.kingfisher.scoring.reference.ReferenceModel(net, version);
            net.close();
            return m;
        };
        Map<String, Object> r = CudaScoringBench.measure(clinical, List.of(500, 1, 64), reference, reference, 50_000_000L);
        assertEquals(500, r.get(CudaScoringBench.EVENTS), "the 400 held-out events repeated up to the largest batch");
        assertEquals(clinical.training().architecture(), r.get(CudaScoringBench.ARCHITECTURE));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> batches = (Map<String, Map<String, Object>>) r.get(CudaScoringBench.BATCHES);
        assertEquals(List.of("1", "64", "500"), List.copyOf(batches.keySet()));
        for (Map<String, Object> b : batches.values()) {
            for (String key : List.of(CudaScoringBench.CUDA_EPS, CudaScoringBench.ND4J_EPS, CudaScoringBench.CUDA_P50_MS,
                    CudaScoringBench.CUDA_P99_MS, CudaScoringBench.CUDA_DIRECT_EPS, CudaScoringBench.GRAPH_SPEEDUP,
                    CudaScoringBench.ND4J_P50_MS, CudaScoringBench.ND4J_P99_MS, CudaScoringBench.SPEEDUP)) {
                double v = ((Number) b.get(key)).doubleValue();
                assertTrue(v > 0 && Double.isFinite(v), key + " = " + v);
            }
            assertTrue(((Number) b.get(CudaScoringBench.MAX_ABS_DIFF)).doubleValue() <= 1e-5, b.toString());
            assertEquals(500, b.get(CudaScoringBench.DIFF_EVENTS));
        }
        String table = CudaScoringBench.table(Map.of("clinical", r));
        assertTrue(table.lines().anyMatch(l -> l.startsWith("clinical") && l.contains(" 1 ")), table);
    }

    @Test
    void cudaBenchTilesEventsAndChecksBatchSizes() {
        float[] rows = {1, 2, 3, 4, 5, 6};
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 1, 2, 3, 4},
                CudaScoringBench.tile(rows, 2, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaScoringBench.checkBatchSizes(List.of(1, 70_000)));
        assertTrue(e.getMessage().contains("--batch-sizes"), e.getMessage());
    }
}
