package io.kingfisher.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class TrainerConfigTest {

    private static String error(Map<String, String> settings) {
        return assertThrows(IllegalArgumentException.class, () -> TrainerConfig.fromMap(settings)).getMessage();
    }

    @Test
    void errorsNameTheKey() {
        assertEquals("trainer.learning_rate must be > 0, was -1", error(Map.of("trainer.learning_rate", "-1")));
        assertEquals("trainer.learning_rate must be a number, was fast", error(Map.of("trainer.learning_rate", "fast")));
        assertEquals("trainer.l2 must be >= 0, was -0.5", error(Map.of("trainer.l2", "-0.5")));
        assertEquals("trainer.batch_size must be >= 1, was 0", error(Map.of("trainer.batch_size", "0")));
        assertEquals("trainer.epochs must be an integer, was 2.5", error(Map.of("trainer.epochs", "2.5")));
        assertEquals("trainer.positive_weight must be > 0 or auto, was 0", error(Map.of("trainer.positive_weight", "0")));
        assertEquals("trainer.validation_fraction must be in [0, 1), was 1", error(Map.of("trainer.validation_fraction", "1")));
        assertEquals("trainer.hidden_layers must list positive widths, was 32,0", error(Map.of("trainer.hidden_layers", "32,0")));
        assertEquals("trainer.hidden_layers must be comma-separated integers, was 32;16",
                error(Map.of("trainer.hidden_layers", "32;16")));
        assertEquals("trainer.seed must be an integer, was x", error(Map.of("trainer.seed", "x")));
        assertEquals("trainer.learning_rate must be a finite number, was NaN", error(Map.of("trainer.learning_rate", "NaN")));
        assertEquals("unknown setting trainer.momentum; known: [trainer.batch_size, trainer.epochs, trainer.hidden_layers,"
                + " trainer.l2, trainer.learning_rate, trainer.positive_weight, trainer.seed, trainer.validation_fraction]",
                error(Map.of("trainer.momentum", "0.9")));
    }

    @Test
    void constructorValidatesToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainerConfig(List.of(8),
                -1, 0, 32, 1, OptionalDouble.empty(), 1, 0.2));
        assertEquals("trainer.learning_rate must be > 0, was -1", e.getMessage());
    }

    @Test
    void mapRoundTrip() {
        TrainerConfig cfg = new TrainerConfig(List.of(64, 8), 0.003, 0.0, 128, 4, OptionalDouble.of(12.5), -3L, 0.25);
        Map<String, String> m = cfg.toMap();
        assertEquals("64,8", m.get("trainer.hidden_layers"));
        assertEquals("12.5", m.get("trainer.positive_weight"));
        assertEquals(cfg, TrainerConfig.fromMap(m));
        assertEquals("auto", TrainerConfig.defaults().toMap().get("trainer.positive_weight"));
        assertEquals(TrainerConfig.defaults(), TrainerConfig.fromMap(TrainerConfig.defaults().toMap()));
        assertEquals(List.of(), TrainerConfig.fromMap(Map.of("trainer.hidden_layers", "")).hiddenLayers());
    }

    @Test
    void missingKeysTakeDefaults() {
        TrainerConfig cfg = TrainerConfig.fromMap(Map.of("trainer.epochs", "3"));
        assertEquals(3, cfg.epochs());
        assertEquals(TrainerConfig.defaults().withEpochs(3), cfg);
    }

    @Test
    void autoPositiveWeightIsTheSquareRootOfTheClassRatio() {
        assertEquals(10.0, TrainerConfig.defaults().resolvePositiveWeight(100, 10_000), 1e-12);
        assertEquals(3.0, TrainerConfig.defaults().withPositiveWeight(OptionalDouble.of(3.0))
                .resolvePositiveWeight(100, 10_000), 0.0);
        assertThrows(IllegalArgumentException.class, () -> TrainerConfig.defaults().resolvePositiveWeight(0, 10));
    }
}
