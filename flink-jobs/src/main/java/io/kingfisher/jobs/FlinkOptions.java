package io.kingfisher.jobs;

import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.state.rocksdb.sstmerge.RocksDBManualCompactionOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Flink's own options, for settings handed to Flink as they are ({@code flink.<option>}, see {@link JobSettings#FLINK}):
 * a key Flink does not have, or a value it cannot read, fails at start-up naming the key instead of being ignored.
 * Flink's {@code Configuration} takes any key, and options do disappear between releases: Flink 2 dropped the
 * per-channel and per-gate network buffer options, and setting them changes nothing.
 *
 * <p>The options known are the public static {@link ConfigOption}s (keys and fallback keys) of every
 * {@code *Options} class in {@code org.apache.flink.configuration} (flink-core) and of RocksDB's and the state
 * changelog's option classes. An option declared anywhere else is refused; the error says what was checked. The
 * options the jobs set from Kingfisher's own settings (parallelism, checkpoint interval and mode, buffer timeout)
 * are refused too, naming the setting to use.
 */
public final class FlinkOptions {
    private static final String CORE_PACKAGE = "org/apache/flink/configuration/";
    private static final List<Class<?>> OTHERS = List.of(RocksDBOptions.class, RocksDBConfigurableOptions.class,
            RocksDBNativeMetricOptions.class, RocksDBManualCompactionOptions.class, FsStateChangelogOptions.class);

    /**
     * Options the jobs set on the environment from a Kingfisher setting, after the configuration: given as
     * {@code flink.<option>} they would change nothing, so they are refused, saying what to do instead.
     */
    private static final Map<ConfigOption<?>, String> OWN = Map.of(
            CoreOptions.DEFAULT_PARALLELISM, "set " + JobSettings.PARALLELISM.key(),
            CheckpointingOptions.CHECKPOINTING_INTERVAL, "set " + JobSettings.CHECKPOINT_INTERVAL.key(),
            ExecutionOptions.BUFFER_TIMEOUT, "set " + JobSettings.BUFFER_TIMEOUT.key(),
            CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, "it stays exactly-once, which the exactly-once sinks need");

    private FlinkOptions() {
    }

    private static final class Known {
        static final Map<String, ConfigOption<?>> BY_KEY = load();
    }

    /**
     * Checks one option.
     *
     * @param key   Flink's key, e.g. {@code taskmanager.memory.segment-size}
     * @param value its value as text
     * @throws IllegalArgumentException naming what is wrong: no such option in this Flink, or a value it cannot read
     */
    public static void check(String key, String value) {
        ConfigOption<?> option = Known.BY_KEY.get(key);
        if (option == null) {
            throw new IllegalArgumentException("Flink " + EnvironmentInformation.getVersion() + " has no option '" + key
                    + "' (checked against the options of org.apache.flink.configuration, RocksDB's and the state changelog's)");
        }
        String own = OWN.get(option);
        if (own != null) {
            throw new IllegalArgumentException("the jobs set " + option.key() + " themselves; " + own);
        }
        try {
            Configuration.fromMap(Map.of(key, value)).get(option);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Flink cannot read '" + value + "' for " + key + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, ConfigOption<?>> load() {
        List<Class<?>> classes = new ArrayList<>(OTHERS);
        for (String name : coreOptionClasses()) {
            try {
                classes.add(Class.forName(name, false, FlinkOptions.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                // as below: its options are not known here
            }
        }
        Map<String, ConfigOption<?>> byKey = new HashMap<>();
        for (Class<?> c : classes) {
            try {
                for (Field f : c.getFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                        ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                        byKey.putIfAbsent(o.key(), o);
                        for (FallbackKey k : o.fallbackKeys()) {
                            byKey.putIfAbsent(k.getKey(), o);
                        }
                    }
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read the options of " + c.getName(), e);
            } catch (LinkageError e) {
                // a class that cannot be initialized here (it needs what is not on the classpath): its options are
                // not known, and setting one is refused as unknown
            }
        }
        return Collections.unmodifiableMap(byKey);
    }

    /** The {@code *Options} classes of flink-core's configuration package, from its jar or classes folder. */
    private static List<String> coreOptionClasses() {
        Path where;
        try {
            where = Path.of(CheckpointingOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate flink-core", e);
        }
        List<String> entries = new ArrayList<>();
        try {
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.list(where.resolve(CORE_PACKAGE))) {
                    files.forEach(p -> entries.add(CORE_PACKAGE + p.getFileName()));
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    jar.stream().forEach(e -> entries.add(e.getName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list Flink's options in " + where, e);
        }
        return entries.stream()
                .filter(n -> n.startsWith(CORE_PACKAGE) && n.indexOf('/', CORE_PACKAGE.length()) < 0
                        && n.endsWith("Options.class"))
                .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                .toList();
    }
}
