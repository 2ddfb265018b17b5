package io.kingfisher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kingfisher.domain.Domain;
import io.kingfisher.domain.declared.Csv;
import io.kingfisher.domain.declared.DeclaredDomains;
import io.kingfisher.domain.declared.DomainFile;
import io.kingfisher.domain.declared.RowReader;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.trainer.eval.BinaryMetrics;
import org.apache.avro.generic.IndexedRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code kingfisher replay}: a user's own data through the whole system. The domain file names the CSV's
 * columns; the earliest rows (by event time) warm-start the first model, the rest are replayed through Kafka
 * in event-time order and scored, labels following after the declared delay.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Run the local stack over a CSV file described by a domain file, and report like the demo.")
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    StackOptions stack;

    @Option(names = "--domain-file", required = true, description = "the domain file (YAML)")
    Path domainFile;

    @Option(names = "--file", required = true, description = "the data (CSV with a header row)")
    Path file;

    @Option(names = "--train-fraction", description = "share of the rows, earliest first, that warm-start the first model (default: ${DEFAULT-VALUE})", defaultValue = "0.3")
    double trainFraction;

    @Option(names = "--rate", description = "rows per second, or 'max' (default: ${DEFAULT-VALUE})", defaultValue = "max")
    String rate;

    @Option(names = "--drain-timeout", description = "how long to wait for the last scores (default: ${DEFAULT-VALUE})", defaultValue = "60s")
    String drainTimeout;

    @Option(names = "--summary-json", description = "also write the summary as JSON to this file")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("--train-fraction: must be in (0, 1), was " + trainFraction);
        }
        double eps = Flags.rateOrMax("--rate", rate);
        Duration drain = Flags.duration("--drain-timeout", drainTimeout);
        DomainFile spec = DomainFile.load(domainFile);

        List<RowReader.ParsedRow> rows = new ArrayList<>();
        List<ReplayFeed.Rejected> rejected = new ArrayList<>();
        RowReader reader;
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
                    rejected.add(new ReplayFeed.Rejected(row.line(), e.getMessage(), row.raw()));
                }
            }
        }
        rows.sort(Comparator.comparingLong(RowReader.ParsedRow::eventTime).thenComparingLong(RowReader.ParsedRow::line));
        int trainRows = (int) Math.floor(rows.size() * trainFraction);
        if (trainRows < 100 || rows.size() - trainRows < 1) {
            throw new IllegalArgumentException("--file: " + rows.size() + " valid rows are too few to train on "
                    + Math.round(trainFraction * 100) + "% and replay the rest");
        }
        List<RowReader.ParsedRow> training = rows.subList(0, trainRows);
        List<RowReader.ParsedRow> replay = rows.subList(trainRows, rows.size());
        Domain domain = DeclaredDomains.build(spec, reader, training);
        System.out.printf("Domain           %s from %s: %,d rows read, %,d rejected; %,d train the first model, %,d are replayed%n",
                domain.name(), domainFile.getFileName(), rows.size() + rejected.size(), rejected.size(), training.size(), replay.size());
        rejected.stream().limit(10).forEach(r -> System.out.println("  rejected " + r.reason()));
        if (rejected.size() > 10) {
            System.out.printf("  … and %,d more (all in %s)%n", rejected.size() - 10, domain.dlqTopic());
        }

        float[] labels = new float[training.size()];
        List<IndexedRecord> history = new ArrayList<>(training.size());
        for (int i = 0; i < training.size(); i++) {
            history.add(training.get(i).event());
            labels[i] = (float) training.get(i).label();
        }
        Map<String, Double> truth = new HashMap<>();
        replay.forEach(r -> truth.put(r.eventId(), r.label()));
        Map<String, Double> scored = new ConcurrentHashMap<>();
        long launched = System.currentTimeMillis();
        try (LocalStack running = Launcher.launch(stack, domain, System.out, "rows of " + file.getFileName(),
                (store, hmac) -> WarmStart.train(domain, history, labels, store, hmac,
                        Map.of("source", "replay:" + file.getFileName())))) {
            ReplayFeed feed = new ReplayFeed(domain.name(), file.getFileName().toString(), replay, rejected, reader.labelSchema(),
                    new RestSchemaRegistryClient(running.registryUrl()));
            DemoSummary summary = new DemoRun(domain, running.bootstrapServers(), running.registryUrl(), feed, eps, null, drain,
                    Duration.ZERO, System.out, launched)
                    .onScore(s -> scored.put(s.eventId(), s.score()))
                    .run();
            double auc = auc(scored, truth);
            System.out.println(summary.toText());
            System.out.printf(Locale.ROOT, "rows           %,d scored, %,d rejected (to %s), %,d trained on%n",
                    summary.scoresOut(), rejected.size(), domain.dlqTopic(), training.size());
            System.out.printf(Locale.ROOT, "AUC            %.4f on the replayed rows' labels%n", auc);
            if (summaryJson != null) {
                write(summary, rows.size() + rejected.size(), training.size(), rejected.size(), auc);
                System.out.println("summary written to " + summaryJson);
            }
            return summary.missing() == 0 && summary.duplicates() == 0 && summary.dlq() == summary.badIn() ? 0 : 3;
        } finally {
            stack.cleanUp();
        }
    }

    private static double auc(Map<String, Double> scored, Map<String, Double> truth) {
        double[] s = new double[scored.size()];
        float[] y = new float[scored.size()];
        int i = 0;
        for (Map.Entry<String, Double> e : scored.entrySet()) {
            Double label = truth.get(e.getKey());
            if (label == null) {
                continue;
            }
            s[i] = e.getValue();
            y[i++] = label.floatValue();
        }
        return i == 0 ? Double.NaN : BinaryMetrics.auc(java.util.Arrays.copyOf(s, i), java.util.Arrays.copyOf(y, i));
    }

    private void write(DemoSummary summary, int rowsRead, int trained, int rejected, double auc) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = json.valueToTree(summary);
        ObjectNode rowsNode = node.putObject("rows");
        rowsNode.put("read", rowsRead);
        rowsNode.put("trained_on", trained);
        rowsNode.put("replayed", summary.eventsIn());
        rowsNode.put("scored", summary.scoresOut());
        rowsNode.put("rejected", rejected);
        node.put("auc", auc);
        Path parent = summaryJson.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(summaryJson, json.writeValueAsString(node) + "\n");
    }
}
