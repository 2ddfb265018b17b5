package io.kingfisher.domain.declared;

import io.kingfisher.config.Setting;
import io.kingfisher.domain.Domain;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A domain declared in YAML over a CSV's columns (the README documents the format):
 *
 * <pre>
 * name: lending
 * key: addr_state                                   # optional: entity column (default: key by event id)
 * id: row_order                                     # optional: event-id column (default: the line number)
 * time: {column: row_order, format: number, unit: s}
 * label: {column: label, delay: 1h}
 * features:
 *   numeric: [funded_amnt, int_rate, annual_inc]
 *   categorical: [term, sub_grade, verification_status]
 * outputs: {alert_threshold: 0.5}
 * model: {hidden: [32, 16], epochs: 10, max_categories: 50, fine_tune_scale: 0.3, learning_window: 5000}   # optional
 * </pre>
 *
 * Parsing checks the file's own shape (unknown or missing keys, bad values); {@link #checkColumns} checks it
 * against the CSV header. Every error names the key or column.
 */
public record DomainFile(String name, String keyColumn, String idColumn, String timeColumn, TimeFormat timeFormat,
                         String labelColumn, Duration labelDelay, List<String> numeric, List<String> categorical,
                         double alertThreshold, List<Integer> hidden, int epochs, int maxCategories,
                         double fineTuneScale, int learningWindow) {

    private static final Set<String> TOP = Set.of("name", "key", "id", "time", "label", "features", "outputs", "model");

    public DomainFile {
        numeric = List.copyOf(numeric);
        categorical = List.copyOf(categorical);
        hidden = List.copyOf(hidden);
    }

    public static DomainFile load(Path file) throws IOException {
        return parse(Files.readString(file), file.getFileName().toString());
    }

    public static DomainFile parse(String yaml, String source) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(yaml);
        } catch (RuntimeException e) {
            throw new DomainFileException(source + ": not valid YAML: " + e.getMessage());
        }
        Map<String, Object> top = map(root, "the file");
        unknownKeys(top, TOP, "");
        String name = string(top, "name", true);
        String key = string(top, "key", false);
        String id = string(top, "id", false);

        Map<String, Object> time = map(required(top, "time"), "time");
        unknownKeys(time, Set.of("column", "format", "unit"), "time.");
        String timeColumn = string(time, "column", true, "time.");
        TimeFormat format = new TimeFormat(string(time, "format", true, "time."), string(time, "unit", false, "time."));

        Map<String, Object> label = map(required(top, "label"), "label");
        unknownKeys(label, Set.of("column", "delay"), "label.");
        String labelColumn = string(label, "column", true, "label.");
        String delayText = string(label, "delay", false, "label.");
        Duration delay;
        try {
            delay = delayText == null ? Duration.ZERO : Setting.parseDuration(delayText);
        } catch (RuntimeException e) {
            throw new DomainFileException("label.delay: " + e.getMessage());
        }
        if (delay.isNegative()) {
            throw new DomainFileException("label.delay: must not be negative, was " + delayText);
        }

        Map<String, Object> features = map(required(top, "features"), "features");
        unknownKeys(features, Set.of("numeric", "categorical"), "features.");
        List<String> numeric = strings(features.get("numeric"), "features.numeric");
        List<String> categorical = strings(features.get("categorical"), "features.categorical");
        if (numeric.isEmpty() && categorical.isEmpty()) {
            throw new DomainFileException("features: declare at least one numeric or categorical column");
        }

        double threshold = 0.5;
        if (top.get("outputs") != null) {
            Map<String, Object> outputs = map(top.get("outputs"), "outputs");
            unknownKeys(outputs, Set.of("alert_threshold"), "outputs.");
            threshold = number(outputs, "alert_threshold", 0.5, "outputs.");
            if (!(threshold > 0 && threshold < 1)) {
                throw new DomainFileException("outputs.alert_threshold: must be in (0, 1), was " + threshold);
            }
        }
        List<Integer> hidden = List.of(32, 16);
        int epochs = 10;
        int maxCategories = 50;
        double fineTuneScale = Domain.ModelShape.DEFAULT_FINE_TUNE_SCALE;
        int learningWindow = Domain.ModelShape.DEFAULT_LEARNING_WINDOW;
        if (top.get("model") != null) {
            Map<String, Object> model = map(top.get("model"), "model");
            unknownKeys(model, Set.of("hidden", "epochs", "max_categories", "fine_tune_scale", "learning_window"), "model.");
            if (model.get("hidden") != null) {
                hidden = new ArrayList<>();
                for (String h : strings(model.get("hidden"), "model.hidden")) {
                    try {
                        hidden.add(Integer.parseInt(h));
                    } catch (NumberFormatException e) {
                        throw new DomainFileException("model.hidden: '" + h + "' is not a layer width");
                    }
                }
            }
            epochs = (int) number(model, "epochs", epochs, "model.");
            maxCategories = (int) number(model, "max_categories", maxCategories, "model.");
            if (epochs < 1 || maxCategories < 1) {
                throw new DomainFileException("model.epochs and model.max_categories must be >= 1");
            }
            fineTuneScale = number(model, "fine_tune_scale", fineTuneScale, "model.");
            if (!(fineTuneScale > 0) || fineTuneScale > Domain.ModelShape.MAX_FINE_TUNE_SCALE) {
                throw new DomainFileException("model.fine_tune_scale: must be in (0, " + Domain.ModelShape.MAX_FINE_TUNE_SCALE
                        + "], was " + fineTuneScale);
            }
            double window = number(model, "learning_window", learningWindow, "model.");
            if (window != Math.rint(window) || window < Domain.ModelShape.MIN_LEARNING_WINDOW
                    || window > Domain.ModelShape.MAX_LEARNING_WINDOW) {
                throw new DomainFileException("model.learning_window: must be a whole number of examples in ["
                        + Domain.ModelShape.MIN_LEARNING_WINDOW + ", " + Domain.ModelShape.MAX_LEARNING_WINDOW + "], was " + window);
            }
            learningWindow = (int) window;
        }

        Set<String> seen = new HashSet<>();
        for (String c : concat(numeric, categorical)) {
            if (!seen.add(c)) {
                throw new DomainFileException("features: column '" + c + "' is declared twice");
            }
        }
        if (numeric.contains(labelColumn) || categorical.contains(labelColumn)) {
            throw new DomainFileException("label.column: '" + labelColumn + "' is also a feature: the model would see its own label");
        }
        return new DomainFile(name, key, id, timeColumn, format, labelColumn, delay, numeric, categorical, threshold,
                hidden, epochs, maxCategories, fineTuneScale, learningWindow);
    }

    /** Checks every named column exists in the CSV header; the error names the key and the column. */
    public void checkColumns(List<String> header) {
        check(header, "key", keyColumn);
        check(header, "id", idColumn);
        check(header, "time.column", timeColumn);
        check(header, "label.column", labelColumn);
        numeric.forEach(c -> check(header, "features.numeric", c));
        categorical.forEach(c -> check(header, "features.categorical", c));
    }

    private static void check(List<String> header, String key, String column) {
        if (column != null && !header.contains(column)) {
            throw new DomainFileException(key + ": column '" + column + "' is not in the CSV header " + header);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Object required(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new DomainFileException(key + ": required");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map)) {
            throw new DomainFileException(what + ": expected a mapping (key: value), got " + (o == null ? "nothing" : o));
        }
        return (Map<String, Object>) o;
    }

    private static void unknownKeys(Map<String, Object> m, Set<String> known, String prefix) {
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                throw new DomainFileException(prefix + k + ": unknown key; expected one of " + new java.util.TreeSet<>(known));
            }
        }
    }

    private static String string(Map<String, Object> m, String key, boolean required) {
        return string(m, key, required, "");
    }

    private static String string(Map<String, Object> m, String key, boolean required, String prefix) {
        Object v = m.get(key);
        if (v == null) {
            if (required) {
                throw new DomainFileException(prefix + key + ": required");
            }
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new DomainFileException(prefix + key + ": expected a single value, got " + v);
        }
        String s = v.toString().trim();
        if (s.isEmpty()) {
            throw new DomainFileException(prefix + key + ": must not be empty");
        }
        return s;
    }

    private static double number(Map<String, Object> m, String key, double dflt, String prefix) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw new DomainFileException(prefix + key + ": '" + v + "' is not a number");
        }
    }

    private static List<String> strings(Object o, String what) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> list)) {
            throw new DomainFileException(what + ": expected a list like [a, b], got " + o);
        }
        List<String> out = new ArrayList<>();
        for (Object x : list) {
            if (x == null || x.toString().isBlank()) {
                throw new DomainFileException(what + ": contains an empty entry");
            }
            out.add(x.toString().trim());
        }
        return out;
    }
}
