package io.kingfisher.cli;

import io.kingfisher.models.ModelRegistry;
import io.kingfisher.schemas.core.ModelSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code kingfisher models list|show|rollback}: the model registry of a running Kingfisher. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List, show and roll back the published model versions of a domain (the model.registry topic).",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Rollback.class})
final class ModelsCommand {
    @Option(names = "--domain", required = true, scope = picocli.CommandLine.ScopeType.INHERIT, description = "the domain")
    String domain;

    @Option(names = "--bootstrap", required = true, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Kafka bootstrap servers, HOST:PORT[,HOST:PORT]")
    String bootstrap;

    @Option(names = "--registry", required = true, scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "schema registry URL (Confluent REST API)")
    String registryUrl;

    ModelRegistry registry() {
        return new ModelRegistry(bootstrap, registryUrl);
    }

    /** {@code models list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per version, oldest first.")
    static final class ListVersions implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Override
        public Integer call() {
            List<ModelSnapshot> all = parent.registry().history(parent.domain);
            System.out.printf("%-8s %-8s %-24s %-10s %-12s %-10s %-10s %s%n", "version", "parent", "created", "source",
                    "examples", "served_auc", "cand_auc", "architecture");
            for (ModelSnapshot s : all) {
                Map<String, Double> m = s.getMetrics();
                System.out.printf(Locale.ROOT, "%-8s %-8s %-24s %-10s %-12s %-10s %-10s %s%n", "v" + s.getVersion(),
                        s.getParentVersion() == null ? "-" : "v" + s.getParentVersion(),
                        Instant.ofEpochMilli(s.getCreatedAt()).toString(),
                        s.getTrainerConfig().getOrDefault("source", "?"),
                        s.getTrainerConfig().getOrDefault("input.examples", s.getTrainerConfig().getOrDefault("source.events", "-")),
                        fmt(m.get("served.auc")), fmt(m.getOrDefault("candidate.auc", m.get("validation_auc"))),
                        s.getArchitecture());
            }
            System.out.printf("%d version(s) of %s%n", all.size(), parent.domain);
            return 0;
        }
    }

    /** {@code models show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Everything recorded about one version.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Option(names = "--version", required = true, description = "the version to show")
        long version;

        @Override
        public Integer call() {
            ModelSnapshot s = parent.registry().history(parent.domain).stream().filter(x -> x.getVersion() == version).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--version: " + parent.domain + " has no v" + version));
            System.out.printf("%s v%d (parent %s), created %s%n", s.getDomain(), s.getVersion(),
                    s.getParentVersion() == null ? "none" : "v" + s.getParentVersion(), Instant.ofEpochMilli(s.getCreatedAt()));
            System.out.printf("architecture   %s%nfeature spec   %s%npayload        %s (%s, sha256 %s)%nsigned         %s%n",
                    s.getArchitecture(), s.getFeatureSpecHash(), s.getPayloadUri(), s.getPayloadFormat(), s.getSha256(),
                    s.getSignature() == null ? "no" : "yes (HMAC-SHA256)");
            System.out.println("trainer config");
            new TreeMap<>(s.getTrainerConfig()).forEach((k, v) -> System.out.printf("  %-36s %s%n", k, v));
            System.out.println("metrics");
            new TreeMap<>(s.getMetrics()).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-36s %.6g%n", k, v));
            return 0;
        }
    }

    /** {@code models rollback}. */
    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Publish an earlier version's model again as the newest version (default: the parent of the newest).")
    static final class Rollback implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Option(names = "--to", description = "the version to restore (default: the newest version's parent)", defaultValue = "-1")
        long to;

        @Option(names = "--store", required = true, description = "the model store's root URI (where the payloads are)")
        String store;

        @Option(names = "--hmac-key-env", description = "environment variable holding model.hmac_key, to verify and sign")
        String hmacKeyEnv;

        @Override
        public Integer call() throws Exception {
            byte[] key = null;
            if (hmacKeyEnv != null) {
                String v = System.getenv(hmacKeyEnv);
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException("--hmac-key-env: environment variable " + hmacKeyEnv + " is not set");
                }
                key = v.getBytes(StandardCharsets.UTF_8);
            }
            ModelSnapshot s = parent.registry().rollback(parent.domain, to, store, key);
            System.out.printf("published %s v%d = the model of v%d; scorers swap to it at their next batch%n", s.getDomain(),
                    s.getVersion(), s.getParentVersion());
            return 0;
        }
    }

    private static String fmt(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
