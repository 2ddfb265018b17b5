package io.kingfisher.trainer;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Settings of {@link OfflineTrainer}, validated on construction with messages that name the
 * setting's key, e.g. {@code trainer.learning_rate must be > 0, was -1}.
 *
 * <p>{@link #toMap()} gives the string map recorded as a snapshot's {@code trainer_config};
 * {@link #fromMap(Map)} reads it back (missing keys take the {@link #defaults()}), so a trainer
 * can be rebuilt from a snapshot's provenance.
 *
 * @param hiddenLayers       hidden layer widths ({@value #HIDDEN_LAYERS}, e.g. {@code 32,16}); may be empty
 * @param learningRate       Adam learning rate ({@value #LEARNING_RATE}), {@code > 0}
 * @param l2                 L2 penalty on weights ({@value #L2}), {@code >= 0}
 * @param batchSize          mini-batch size ({@value #BATCH_SIZE}), {@code >= 1}
 * @param epochs             passes over the training split ({@value #EPOCHS}), {@code >= 1}
 * @param positiveWeight     loss weight of positives ({@value #POSITIVE_WEIGHT}), {@code > 0};
 *                           empty means {@code auto}: {@code sqrt(negatives / positives)}
 * @param seed               seed for initialisation, the split and shuffling ({@value #SEED})
 * @param validationFraction share of each class held out for validation
 *                           ({@value #VALIDATION_FRACTION}), in {@code [0, 1)}
 */
public record TrainerConfig(List<Integer> hiddenLayers, double learningRate, double l2, int batchSize, int epochs,
                            OptionalDouble positiveWeight, long seed, double validationFraction) {

    /** Key of {@link #hiddenLayers()}. */
    public static final String HIDDEN_LAYERS = "trainer.hidden_layers";
    /** Key of {@link #learningRate()}. */
    public static final String LEARNING_RATE = "trainer.learning_rate";
    /** Key of {@link #l2()}. */
    public static final String L2 = "trainer.l2";
    /** Key of {@link #batchSize()}. */
    public static final String BATCH_SIZE = "trainer.batch_size";
    /** Key of {@link #epochs()}. */
    public static final String EPOCHS = "trainer.epochs";
    /** Key of {@link #positiveWeight()}. */
    public static final String POSITIVE_WEIGHT = "trainer.positive_weight";
    /** Key of {@link #seed()}. */
    public static final String SEED = "trainer.seed";
    /** Key of {@link #validationFraction()}. */
    public static final String VALIDATION_FRACTION = "trainer.validation_fraction";
    /** Value of {@value #POSITIVE_WEIGHT} that derives the weight from the class counts. */
    public static final String AUTO = "auto";

    private static final Set<String> KEYS = Set.of(HIDDEN_LAYERS, LEARNING_RATE, L2, BATCH_SIZE, EPOCHS,
            POSITIVE_WEIGHT, SEED, VALIDATION_FRACTION);

    /** Validates every setting; the message names the first bad key. */
    public TrainerConfig {
        if (hiddenLayers == null) {
            throw new IllegalArgumentException(HIDDEN_LAYERS + " must not be null");
        }
        hiddenLayers = List.copyOf(hiddenLayers);
        for (int i = 0; i < hiddenLayers.size(); i++) {
            if (hiddenLayers.get(i) <= 0) {
                throw new IllegalArgumentException(HIDDEN_LAYERS + " must list positive widths, was "
                        + join(hiddenLayers));
            }
        }
        requireFinite(LEARNING_RATE, learningRate);
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException(LEARNING_RATE + " must be > 0, was " + format(learningRate));
        }
        requireFinite(L2, l2);
        if (l2 < 0) {
            throw new IllegalArgumentException(L2 + " must be >= 0, was " + format(l2));
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException(BATCH_SIZE + " must be >= 1, was " + batchSize);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException(EPOCHS + " must be >= 1, was " + epochs);
        }
        if (positiveWeight == null) {
            throw new IllegalArgumentException(POSITIVE_WEIGHT + " must not be null (use OptionalDouble.empty() for "
                    + AUTO + ")");
        }
        if (positiveWeight.isPresent()) {
            double w = positiveWeight.getAsDouble();
            requireFinite(POSITIVE_WEIGHT, w);
            if (!(w > 0)) {
                throw new IllegalArgumentException(POSITIVE_WEIGHT + " must be > 0 or " + AUTO + ", was " + format(w));
            }
        }
        requireFinite(VALIDATION_FRACTION, validationFraction);
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException(VALIDATION_FRACTION + " must be in [0, 1), was "
                    + format(validationFraction));
        }
    }

    /** @return hidden 32,16; learning rate 1e-3; L2 1e-4; batch 256; 10 epochs; positive weight auto; seed 42; validation 0.2 */
    public static TrainerConfig defaults() {
        return new TrainerConfig(List.of(32, 16), 1e-3, 1e-4, 256, 10, OptionalDouble.empty(), 42L, 0.2);
    }

    /**
     * Reads a config from string settings; keys not given take the {@link #defaults()}.
     *
     * @param settings keys as in {@link #toMap()}
     * @return the validated config
     * @throws IllegalArgumentException naming the key that is unknown, malformed or out of range
     */
    public static TrainerConfig fromMap(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown setting " + key + "; known: " + new java.util.TreeSet<>(KEYS));
            }
        }
        Map<String, String> s = new HashMap<>(defaults().toMap());
        s.putAll(settings);
        String weight = s.get(POSITIVE_WEIGHT).trim();
        return new TrainerConfig(
                parseLayers(s.get(HIDDEN_LAYERS)),
                parseDouble(LEARNING_RATE, s.get(LEARNING_RATE)),
                parseDouble(L2, s.get(L2)),
                parseInt(BATCH_SIZE, s.get(BATCH_SIZE)),
                parseInt(EPOCHS, s.get(EPOCHS)),
                AUTO.equalsIgnoreCase(weight) ? OptionalDouble.empty()
                        : OptionalDouble.of(parseDouble(POSITIVE_WEIGHT, weight)),
                parseLong(SEED, s.get(SEED)),
                parseDouble(VALIDATION_FRACTION, s.get(VALIDATION_FRACTION)));
    }

    /** @return the settings as strings, keyed as in {@link #fromMap(Map)}, in a stable order */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(HIDDEN_LAYERS, join(hiddenLayers));
        m.put(LEARNING_RATE, Double.toString(learningRate));
        m.put(L2, Double.toString(l2));
        m.put(BATCH_SIZE, Integer.toString(batchSize));
        m.put(EPOCHS, Integer.toString(epochs));
        m.put(POSITIVE_WEIGHT, positiveWeight.isPresent() ? Double.toString(positiveWeight.getAsDouble()) : AUTO);
        m.put(SEED, Long.toString(seed));
        m.put(VALIDATION_FRACTION, Double.toString(validationFraction));
        return m;
    }

    /** @return the hidden layer widths as an array */
    public int[] hiddenArray() {
        return hiddenLayers.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param positives positive training examples, {@code >= 1}
     * @param negatives negative training examples, {@code >= 1}
     * @return the configured positive weight, or {@code sqrt(negatives / positives)} for auto
     */
    public double resolvePositiveWeight(long positives, long negatives) {
        if (positiveWeight.isPresent()) {
            return positiveWeight.getAsDouble();
        }
        if (positives < 1 || negatives < 1) {
            throw new IllegalArgumentException("auto positive weight needs both classes, had " + positives
                    + " positives and " + negatives + " negatives");
        }
        return Math.sqrt((double) negatives / positives);
    }

    /** @return a copy with another hidden layout */
    public TrainerConfig withHiddenLayers(List<Integer> value) {
        return new TrainerConfig(value, learningRate, l2, batchSize, epochs, positiveWeight, seed, validationFraction);
    }

    /** @return a copy with another number of epochs */
    public TrainerConfig withEpochs(int value) {
        return new TrainerConfig(hiddenLayers, learningRate, l2, batchSize, value, positiveWeight, seed, validationFraction);
    }

    /** @return a copy with another seed */
    public TrainerConfig withSeed(long value) {
        return new TrainerConfig(hiddenLayers, learningRate, l2, batchSize, epochs, positiveWeight, value, validationFraction);
    }

    /** @return a copy with another positive weight (empty for auto) */
    public TrainerConfig withPositiveWeight(OptionalDouble value) {
        return new TrainerConfig(hiddenLayers, learningRate, l2, batchSize, epochs, value, seed, validationFraction);
    }

    private static void requireFinite(String key, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(key + " must be a finite number, was " + v);
        }
    }

    private static String format(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String join(List<Integer> layers) {
        StringJoiner j = new StringJoiner(",");
        layers.forEach(l -> j.add(Integer.toString(l)));
        return j.toString();
    }

    private static List<Integer> parseLayers(String value) {
        List<Integer> layers = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return layers;
        }
        for (String part : value.split(",")) {
            try {
                layers.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(HIDDEN_LAYERS + " must be comma-separated integers, was " + value);
            }
        }
        return layers;
    }

    private static double parseDouble(String key, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(key + " must be a number, was " + value);
        }
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(key + " must be an integer, was " + value);
        }
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(key + " must be an integer, was " + value);
        }
    }
}
