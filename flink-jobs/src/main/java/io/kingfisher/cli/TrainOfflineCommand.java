package io.kingfisher.cli;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.domain.declared.Csv;
import io.kingfisher.domain.declared.DeclaredDomains;
import io.kingfisher.domain.declared.DomainFile;
import io.kingfisher.domain.declared.RowReader;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.sim.Simulators;
import org.apache.avro.generic.IndexedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kingfisher train-offline}: the warm start. Trains a domain's first model from historical events through the
 * offline feature path (the same feature code the streaming job runs), stores the payload and its golden set, and
 * publishes the snapshot so the scorer serves it and the online trainer fine-tunes from it.
 */
@Command(name = "train-offline", mixinStandardHelpOptions = true,
        description = "Train a domain's model on history (simulated for built-in domains, a CSV for a declared one), "
                + "store it, and publish it as the next version.")
final class TrainOfflineCommand implements Callable<Integer> {
    @Option(names = "--domain", description = "built-in domain: fraud, clicks or clinical")
    String domainName;

    @Option(names = "--domain-file", description = "a declared domain's file (YAML); with --file")
    Path domainFile;

    @Option(names = "--file", description = "the declared domain's history (CSV with a header row)")
    Path file;

    @Option(names = "--history", description = "simulated events to train a built-in domain on (default: ${DEFAULT-VALUE})",
            defaultValue = "200000")
    int history;

    @Option(names = "--seed", description = "simulator seed (default: ${DEFAULT-VALUE})", defaultValue = "1000045")
    long seed;

    @Option(names = "--store", required = true, description = "model store root URI or folder")
    String store;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers: publish the snapshot (omit to only store it)")
    String bootstrap;

    @Option(names = "--registry", description = "schema registry URL, with --bootstrap")
    String registryUrl;

    @Option(names = "--hmac-key-env", description = "environment variable holding model.hmac_key, to sign the snapshot")
    String hmacKeyEnv;

    @Override
    public Integer call() throws Exception {
        if ((domainName == null) == (domainFile == null)) {
            throw new IllegalArgumentException("give either --domain (built-in) or --domain-file with --file");
        }
        if ((bootstrap == null) != (registryUrl == null)) {
            throw new IllegalArgumentException("--bootstrap and --registry go together");
        }
        byte[] key = null;
        if (hmacKeyEnv != null) {
            String v = System.getenv(hmacKeyEnv);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("--hmac-key-env: environment variable " + hmacKeyEnv + " is not set");
            }
            key = v.getBytes(StandardCharsets.UTF_8);
        }
        String root = store.contains(":") ? store : Path.of(store).toAbsolutePath().toUri().toString();
        WarmStart.Result result;
        if (domainName != null) {
            Domain domain = BuiltInDomains.byName(domainName);
            result = WarmStart.trainOnSimulation(domain, Simulators.forDomain(domain, seed), history, root, key);
        } else {
            if (file == null) {
                throw new IllegalArgumentException("--domain-file needs --file (the CSV to train on)");
            }
            result = trainDeclared(root, key);
        }
        ModelSnapshot s = result.snapshot();
        System.out.printf(Locale.ROOT, "%s v%d %s: %,d examples (%,d positive), validation AUC %.4f, log loss %.4f, in %.1f s%n",
                s.getDomain(), s.getVersion(), s.getArchitecture(), result.training().examples(), result.training().positives(),
                result.validationAuc(), result.training().validationLogLoss(), result.training().seconds());
        System.out.printf("payload        %s%n", s.getPayloadUri());
        if (bootstrap != null) {
            WarmStart.publish(s, bootstrap, registryUrl);
            System.out.printf("published to model.registry and model.snapshots at %s%n", bootstrap);
        }
        return 0;
    }

    private WarmStart.Result trainDeclared(String root, byte[] key) throws Exception {
        DomainFile spec = DomainFile.load(domainFile);
        List<RowReader.ParsedRow> rows = new ArrayList<>();
        RowReader reader;
        int rejected = 0;
        try (Csv csv = new Csv(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            Csv.Row header = csv.next();
            if (header == null) {
                throw new IllegalArgumentException("--file: " + file + " is empty (no header row)");
            }
            reader = new RowReader(spec, header.cells());
            for (Csv.Row row = csv.next(); row != null; row = csv.next()) {
                try {
                    rows.add(reader.read(row));
                } catch (RowReader.BadRowException e) {
                    rejected++;
                }
            }
        }
        rows.sort(Comparator.comparingLong(RowReader.ParsedRow::eventTime).thenComparingLong(RowReader.ParsedRow::line));
        if (rows.size() < 100) {
            throw new IllegalArgumentException("--file: " + rows.size() + " valid rows are too few to train on");
        }
        Domain domain = DeclaredDomains.build(spec, reader, rows);
        System.out.printf("%s: %,d rows, %,d rejected%n", file.getFileName(), rows.size(), rejected);
        float[] labels = new float[rows.size()];
        List<IndexedRecord> events = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            events.add(rows.get(i).event());
            labels[i] = (float) rows.get(i).label();
        }
        return WarmStart.train(domain, events, labels, root, key, Map.of("source", "train-offline:" + file.getFileName()));
    }
}
