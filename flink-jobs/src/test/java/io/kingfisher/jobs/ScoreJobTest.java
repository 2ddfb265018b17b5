package io.kingfisher.jobs;

import io.kingfisher.config.Config;
import io.kingfisher.config.ConfigException;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.ScoringBackend;
import io.kingfisher.scoring.cuda.Backends;
import io.kingfisher.scoring.cuda.CudaAvailability;
import io.kingfisher.scoring.snapshot.Snapshots;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** What {@link ScoreJob} checks when it is built, before anything runs. */
class ScoreJobTest {
    private static final Domain FRAUD = BuiltInDomains.fraud();
    private static final String KEY = "score-job-test-key-0123456789";

    private static Config config(Map<String, String> settings) {
        Map<String, String> m = new HashMap<>(Map.of("kafka.bootstrap.servers", "localhost:9092",
                "schema.registry.url", "http://localhost:8081"));
        m.putAll(settings);
        return Config.of(m, JobSettings.ALL);
    }

    private static ModelSnapshot snapshot(String featureSpecHash, byte[] key) {
        byte[] payload = {1, 2, 3};
        return Snapshots.builder(FRAUD.name(), 4).featureSpecHash(featureSpecHash).architecture("mlp(1-1)")
                .payload(URI.create("file:///models/fraud/v4.zip"), payload).build(key);
    }

    @Test
    void tombstonesGoToTheirOwnSinkChainedToThePrimaryFeatureStage() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RawRecord> events = env.fromSequence(0, 0).map(i -> new RawRecord()).returns(RawRecord.class);
        DataStream<RawRecord> snapshots = env.fromSequence(0, 0).map(i -> new RawRecord()).returns(RawRecord.class);
        new ScoreJob(FRAUD, config(Map.of()), null, "file:///m").build(events, snapshots, new DiscardingSink<>(), 0,
                new DiscardingSink<>(), new FeatureVectors.Sinks(new DiscardingSink<>(), new DiscardingSink<>()));
        List<String> vertices = new ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(v -> vertices.add(v.getName()));
        // fraud looks up its merchant: the vectors come out of a later stage than the primary one
        assertTrue(vertices.stream().anyMatch(n -> n.startsWith("features ->") && n.contains("features-tombstones-sink")),
                "the tombstones' sink is chained to the primary feature stage: " + vertices);
        assertTrue(vertices.stream().anyMatch(n -> n.startsWith("feature-vectors -> features-sink")),
                "the vectors and their sink are a task of their own (the sink chained to the vectors, no union in front of "
                        + "it; nothing chained in front of the vectors), so their flush at a barrier holds up no event: " + vertices);
    }

    @Test
    void theInitialModelIsOptional() {
        assertDoesNotThrow(() -> new ScoreJob(FRAUD, config(Map.of()), null, "file:///models"));
    }

    @Test
    void withAKeyConfiguredTheInitialModelMustBeSignedWithIt() {
        Config signed = config(Map.of("model.hmac_key", KEY));
        String spec = FRAUD.features().hash();
        assertDoesNotThrow(() -> new ScoreJob(FRAUD, signed, snapshot(spec, KEY.getBytes(StandardCharsets.UTF_8)), "file:///m"));
        IllegalArgumentException unsigned = assertThrows(IllegalArgumentException.class,
                () -> new ScoreJob(FRAUD, signed, snapshot(spec, null), "file:///m"));
        assertTrue(unsigned.getMessage().contains("SIGNATURE_MISSING"), unsigned.getMessage());
        assertDoesNotThrow(() -> new ScoreJob(FRAUD, config(Map.of()), snapshot(spec, null), "file:///m"),
                "without a key, unsigned snapshots are accepted");
    }

    @Test
    void theInitialModelMustBeForTheDomainsFeatures() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ScoreJob(FRAUD, config(Map.of()), snapshot("other-spec", null), "file:///m"));
        assertTrue(e.getMessage().contains("other-spec"), e.getMessage());
    }

    @Test
    void aSigningKeyShorterThanTheMinimumFailsNamingTheSetting() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ScoreJob(FRAUD, config(Map.of("model.hmac_key", "short")), null, "file:///m"));
        assertEquals("model.hmac_key", e.key());
    }

    @Test
    void theMaximumModelAgeIsOffByDefaultAndParsedAsADuration() {
        assertEquals(Duration.ZERO, config(Map.of()).get(JobSettings.MAX_MODEL_AGE));
        assertEquals(Duration.ofMinutes(30), config(Map.of("scoring.max_model_age", "30m")).get(JobSettings.MAX_MODEL_AGE));
        ConfigException negative = assertThrows(ConfigException.class, () -> config(Map.of("scoring.max_model_age", "-5s")));
        assertEquals("scoring.max_model_age", negative.key());
    }

    @Test
    void theScoringBackendDefaultsToNd4jAndAnUnknownOneIsRefusedNamingTheKey() {
        assertEquals(ScoringBackend.ND4J, config(Map.of()).get(JobSettings.BACKEND));
        assertEquals(ScoringBackend.CUDA_OR_CPU, config(Map.of("scoring.backend", "cuda-or-cpu")).get(JobSettings.BACKEND));
        ConfigException e = assertThrows(ConfigException.class, () -> config(Map.of("scoring.backend", "gpu")));
        assertEquals("scoring.backend", e.key());
        assertEquals("scoring.backend: cannot parse 'gpu', expected one of [nd4j, cuda, cuda-or-cpu]", e.getMessage());
    }

    @Test
    void cudaWithoutAUsableGpuFailsAtStartNamingTheKeyAndWhatIsMissing() {
        CudaAvailability gpu = CudaAvailability.probe();
        assumeFalse(gpu.usable(), "this machine has a usable GPU: " + gpu.describe());
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ScoreJob(FRAUD, config(Map.of("scoring.backend", "cuda")), null, "file:///m"));
        assertEquals("scoring.backend", e.key());
        assertTrue(e.getMessage().startsWith("scoring.backend: cuda needs a usable GPU"), e.getMessage());
        assertTrue(e.getMessage().contains(gpu.missing()), e.getMessage());
        assertTrue(gpu.missing().contains("libcuda.so.1") || gpu.missing().contains("libcudart.so"), gpu.missing());
    }

    @Test
    void cudaOrCpuWithoutAUsableGpuStartsOnNd4j() {
        assumeFalse(CudaAvailability.probe().usable(), "this machine has a usable GPU");
        assertDoesNotThrow(() -> new ScoreJob(FRAUD, config(Map.of("scoring.backend", "cuda-or-cpu")), null, "file:///m"));
        assertEquals("nd4j", Backends.resolve(ScoringBackend.CUDA_OR_CPU).effective());
    }
}
