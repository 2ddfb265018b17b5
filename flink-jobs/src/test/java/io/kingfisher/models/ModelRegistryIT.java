package io.kingfisher.models;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.local.EmbeddedKafkaBroker;
import io.kingfisher.local.EmbeddedSchemaRegistry;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import io.kingfisher.sim.Simulators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The model registry on a real broker and registry: published versions are listed with their lineage, and a
 * rollback republishes an earlier payload as the next version, signed, on both topics.
 */
class ModelRegistryIT {
    private static final byte[] KEY = "registry-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @Test
    void listsVersionsAndRollsBack(@TempDir Path dir) throws Exception {
        Domain fraud = BuiltInDomains.byName("fraud");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0);
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0)) {
            broker.createTopic(Topics.MODEL_SNAPSHOTS, 1, Map.of("cleanup.policy", "compact"));
            broker.createTopic(Topics.MODEL_REGISTRY, 1, Map.of("retention.ms", "-1"));
            String store = dir.resolve("models").toUri().toString();
            WarmStart.Result v1 = WarmStart.trainOnSimulation(fraud, Simulators.forDomain(fraud, 1L), 6000, store, KEY);
            WarmStart.publish(v1.snapshot(), broker.bootstrapServers(), registry.url());
            WarmStart.Result v2 = WarmStart.trainOnSimulation(fraud, Simulators.forDomain(fraud, 2L), 6000, store, KEY);
            WarmStart.publish(v2.snapshot(), broker.bootstrapServers(), registry.url());

            ModelRegistry models = new ModelRegistry(broker.bootstrapServers(), registry.url());
            List<ModelSnapshot> history = models.history("fraud");
            assertEquals(List.of(1L, 2L), history.stream().map(ModelSnapshot::getVersion).toList());

            ModelSnapshot restored = models.rollback("fraud", 1, store, KEY);
            assertEquals(3, restored.getVersion());
            assertEquals(1L, restored.getParentVersion());
            assertEquals(v1.snapshot().getSha256(), restored.getSha256(), "the payload of v1, unchanged");
            assertEquals("1", restored.getTrainerConfig().get("rollback_of"));
            assertNotNull(Snapshots.loadNetwork(restored, new FileSystemModelStore(store), KEY, fraud.features().hash()),
                    "signed, and the payload verifies");
            assertEquals(List.of(1L, 2L, 3L), models.history("fraud").stream().map(ModelSnapshot::getVersion).toList());

            assertThrows(IllegalArgumentException.class, () -> models.rollback("fraud", 7, store, KEY));
            assertThrows(IllegalArgumentException.class, () -> models.rollback("fraud", 1, store,
                    "the-wrong-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
        }
    }
}
