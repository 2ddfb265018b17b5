package io.kingfisher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kingfisher replay} end to end on a declared domain: every good row scored once, every bad row in the DLQ. */
class ReplayIT {

    @Test
    void replaysAFileThroughTheWholeStack(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("loans.yaml");
        Files.writeString(yaml, """
                name: loans
                key: state
                time: {column: applied, format: iso}
                label: {column: defaulted, delay: 2h}
                features:
                  numeric: [amount, rate]
                  categorical: [grade]
                outputs: {alert_threshold: 0.5}
                model: {epochs: 3}
                """);
        StringBuilder csv = new StringBuilder("applied,state,amount,rate,grade,defaulted\n");
        Random rnd = new Random(1);
        String[] grades = {"A", "B", "C", "D"};
        int good = 800;
        for (int i = 0; i < good; i++) {
            int g = rnd.nextInt(4);
            double rate = 5 + 4 * g + rnd.nextGaussian();
            boolean bad = rnd.nextDouble() < 0.05 + 0.08 * g;
            String amount = i % 50 == 0 ? "" : String.valueOf(1000 + rnd.nextInt(30000));
            csv.append(String.format("2026-01-01T%02d:%02d:%02d,%s,%s,%.2f,%s,%d%n", i / 3600, (i / 60) % 60, i % 60,
                    "S" + rnd.nextInt(10), amount, rate, grades[g], bad ? 1 : 0));
        }
        csv.append("2026-01-01T23:00:00,S1,lots,7.0,A,0\n");        // text in a numeric column
        csv.append("not-a-time,S1,1000,7.0,A,0\n");                 // bad time
        csv.append("2026-01-01T23:00:02,S1,1000,7.0\n");            // too few cells
        Path data = dir.resolve("loans.csv");
        Files.writeString(data, csv);
        Path summary = dir.resolve("summary.json");

        StringWriter err = new StringWriter();
        int code = Kingfisher.run(new String[]{"replay", "--domain-file", yaml.toString(), "--file", data.toString(),
                "--train-fraction", "0.5", "--history", "1000", "--summary-json", summary.toString(),
                "--data-dir", dir.resolve("stack").toString()}, new PrintWriter(err, true));
        assertEquals(0, code, err.toString());

        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals(good + 3, s.at("/rows/read").asInt());
        assertEquals(good / 2, s.at("/rows/trained_on").asInt());
        assertEquals(good / 2, s.at("/rows/replayed").asInt());
        assertEquals(good / 2, s.at("/rows/scored").asInt());
        assertEquals(3, s.at("/rows/rejected").asInt());
        assertEquals(3, s.get("dlq").asInt());
        assertEquals(0, s.get("missing").asInt());
        assertEquals(0, s.get("duplicates").asInt());
        assertEquals(3, s.at("/dlq_by_kind/BAD_ROW").asInt());
        assertTrue(s.get("auc").asDouble() > 0.55, "the grade signal is learnable: " + s.get("auc"));
    }
}
