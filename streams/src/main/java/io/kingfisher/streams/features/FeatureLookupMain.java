package io.kingfisher.streams.features;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the feature lookup until the JVM is stopped. Each argument is a {@code key=value} setting or the path of a
 * properties file of settings, applied in order (later ones win); the keys are {@link FeatureLookupConfig}'s.
 * Example: {@code kafka.bootstrap.servers=localhost:9092 schema.registry.url=http://localhost:8081
 * lookup.domains=fraud lookup.state.dir=data/lookup}. Exits with status 2 naming the key on a bad setting, 1 when
 * it cannot start (e.g. a topic is missing).
 */
public final class FeatureLookupMain {
    private FeatureLookupMain() {
    }

    /** Starts the lookup and blocks until shutdown (Ctrl-C), then closes it. */
    public static void main(String[] args) throws InterruptedException {
        FeatureLookupConfig config;
        try {
            config = FeatureLookupConfig.fromMap(settings(args));
        } catch (IllegalArgumentException e) {
            System.err.println("feature lookup: " + e.getMessage());
            System.exit(2);
            return;
        }
        FeatureLookupApp app;
        try {
            app = FeatureLookupApp.start(config);
        } catch (IllegalStateException e) {
            System.err.println("feature lookup did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "feature-lookup-shutdown"));
        System.out.println("Feature lookup: " + app.url() + "/features/<domain>/<entity> for " + config.domains());
        stopped.await();
    }

    /**
     * @return the settings of {@code args}: {@code key=value} pairs and properties files, in order
     * @throws IllegalArgumentException naming an argument that is neither, or a file that cannot be read
     */
    static Map<String, String> settings(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0) {
                out.put(arg.substring(0, eq).strip(), arg.substring(eq + 1).strip());
                continue;
            }
            Path file = Path.of(arg);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("argument '" + arg + "' is neither key=value nor a properties file");
            }
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read settings file " + file + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).strip()));
        }
        return out;
    }
}
