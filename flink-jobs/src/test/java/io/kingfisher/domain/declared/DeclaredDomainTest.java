package io.kingfisher.domain.declared;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.InputEvent;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeclaredDomainTest {
    static final String YAML = """
            name: lending
            key: addr_state
            id: row_order
            time: {column: row_order, format: number, unit: s}
            label: {column: label, delay: 1h}
            features:
              numeric: [funded_amnt, int_rate]
              categorical: [term]
            outputs: {alert_threshold: 0.4}
            """;
    static final List<String> HEADER = List.of("row_order", "funded_amnt", "term", "int_rate", "addr_state", "label");

    private static DomainFileException fails(String yaml) {
        return assertThrows(DomainFileException.class, () -> DomainFile.parse(yaml, "test.yaml"));
    }

    @Test
    void parsesTheDocumentedExample() {
        DomainFile f = DomainFile.parse(YAML, "test.yaml");
        assertEquals("lending", f.name());
        assertEquals("addr_state", f.keyColumn());
        assertEquals(Duration.ofHours(1), f.labelDelay());
        assertEquals(List.of("funded_amnt", "int_rate"), f.numeric());
        assertEquals(0.4, f.alertThreshold());
        assertEquals(Domain.ModelShape.DEFAULT_FINE_TUNE_SCALE, f.fineTuneScale());
        assertEquals(0.05, DomainFile.parse(YAML + "model: {fine_tune_scale: 0.05}\n", "test.yaml").fineTuneScale());
        assertEquals(Domain.ModelShape.DEFAULT_LEARNING_WINDOW, f.learningWindow());
        assertEquals(20_000, DomainFile.parse(YAML + "model: {learning_window: 20000}\n", "test.yaml").learningWindow());
    }

    @Test
    void badFilesFailNamingTheKey() {
        assertTrue(fails(YAML + "colour: blue\n").getMessage().startsWith("colour: unknown key"));
        assertTrue(fails(YAML.replace("name: lending\n", "")).getMessage().startsWith("name: required"));
        assertTrue(fails(YAML.replace("format: number, unit: s", "format: number")).getMessage().startsWith("time.unit"));
        assertTrue(fails(YAML.replace("format: number", "format: julian")).getMessage().startsWith("time.format"));
        assertTrue(fails(YAML.replace("[term]", "[term, label]")).getMessage().startsWith("label.column: 'label' is also a feature"));
        assertTrue(fails(YAML.replace("delay: 1h", "delay: soon")).getMessage().startsWith("label.delay"));
        assertTrue(fails(YAML.replace("alert_threshold: 0.4", "alert_threshold: 4")).getMessage().startsWith("outputs.alert_threshold"));
        assertTrue(fails(YAML + "model: {fine_tune_scale: 0}\n").getMessage().startsWith("model.fine_tune_scale"));
        assertTrue(fails(YAML + "model: {learning_window: 12.5}\n").getMessage().startsWith("model.learning_window"));
        DomainFile f = DomainFile.parse(YAML.replace("int_rate]", "int_rate, fico]"), "test.yaml");
        DomainFileException unknown = assertThrows(DomainFileException.class, () -> f.checkColumns(HEADER));
        assertTrue(unknown.getMessage().startsWith("features.numeric: column 'fico' is not in the CSV header"), unknown.getMessage());
        DomainFile k = DomainFile.parse(YAML.replace("key: addr_state", "key: state"), "test.yaml");
        assertTrue(assertThrows(DomainFileException.class, () -> k.checkColumns(HEADER)).getMessage().startsWith("key: column 'state'"));
    }

    private static List<Csv.Row> rows(String csv) throws Exception {
        List<Csv.Row> out = new ArrayList<>();
        try (Csv c = new Csv(new BufferedReader(new StringReader(csv)))) {
            for (Csv.Row r = c.next(); r != null; r = c.next()) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void readsRowsWithMissingCellsAndRejectsMisfitsNamingLineAndColumn() throws Exception {
        RowReader reader = new RowReader(DomainFile.parse(YAML, "t"), HEADER);
        List<Csv.Row> rows = rows("""
                row_order,funded_amnt,term,int_rate,addr_state,label
                1,16100,"term_36",13.99,CT,0
                2,,"term_60",11.99,MN,true
                3,abc,"term_36",9.5,CA,0
                4,1000,"term_36",9.5,CA,maybe
                5,1000,"term_36",9.5
                6,1000,,9.5,CA,1
                """);
        RowReader.ParsedRow first = reader.read(rows.get(1));
        assertEquals("1", first.eventId());
        assertEquals("CT", first.key());
        assertEquals(1000L, first.eventTime());
        assertEquals(1000L + 3_600_000L, first.labelTime());
        assertEquals(16100.0, first.event().get("funded_amnt"));
        RowReader.ParsedRow second = reader.read(rows.get(2));
        assertNull(second.event().get("funded_amnt"), "an empty numeric cell is missing, not an error");
        assertEquals(1.0, second.label());
        var notNumeric = assertThrows(RowReader.BadRowException.class, () -> reader.read(rows.get(3)));
        assertEquals("line 4: numeric column 'funded_amnt' holds 'abc'", notNumeric.getMessage());
        assertTrue(assertThrows(RowReader.BadRowException.class, () -> reader.read(rows.get(4))).getMessage().contains("label column 'label'"));
        assertTrue(assertThrows(RowReader.BadRowException.class, () -> reader.read(rows.get(5))).getMessage().contains("has 4 cells"));
        assertNull(reader.read(rows.get(6)).event().get("term"), "an empty category is missing");
    }

    @Test
    void derivedDomainImputesWithIndicatorsAndReservesABucketForUnseenCategories() throws Exception {
        RowReader reader = new RowReader(DomainFile.parse(YAML, "t"), HEADER);
        List<RowReader.ParsedRow> training = new ArrayList<>();
        for (Csv.Row r : rows("h\n1,100,A,1.0,CT,0\n2,300,B,2.0,CT,1\n3,,A,3.0,MN,0\n").subList(1, 4)) {
            training.add(reader.read(new Csv.Row(r.line(), r.cells(), r.raw())));
        }
        Domain d = DeclaredDomains.build(DomainFile.parse(YAML, "t"), reader, training);
        assertEquals(List.of("funded_amnt", "funded_amnt[missing]", "int_rate", "int_rate[missing]", "term[A]", "term[B]", "term[other]"),
                d.features().outputNames());
        assertEquals(200.0, ((FeatureDef.Numeric) d.features().features().get(0)).impute(), "mean of the training rows");
        assertEquals("entity", d.keyField());
        RowReader.ParsedRow unseen = reader.read(new Csv.Row(9, List.of("9", "", "Z", "1.5", "CA", "0"), "9,,Z,1.5,CA,0"));
        InputEvent e = d.inputBinding().extract(unseen.event(), 0);
        float[] v = new io.kingfisher.features.FeatureEngine(d.features()).computeAndUpdate(
                new io.kingfisher.features.FeatureEngine(d.features()).newState(), e);
        assertEquals(200f, v[0]);
        assertEquals(1f, v[1]);
        assertEquals(1f, v[6], "unseen category in the reserved bucket");
    }

    @Test
    void timeFormats() {
        assertEquals(90_000L, new TimeFormat("number", "min").toEpochMillis("1.5"));
        assertEquals(1_700_000_000_000L, new TimeFormat("epoch_s", null).toEpochMillis("1700000000"));
        assertEquals(0L, new TimeFormat("iso", null).toEpochMillis("1970-01-01T00:00:00"));
        assertEquals(3_600_000L, new TimeFormat("iso", null).toEpochMillis("1970-01-01T02:00:00+01:00"));
        assertEquals(86_400_000L, new TimeFormat("iso", null).toEpochMillis("1970-01-02"));
        assertThrows(IllegalArgumentException.class, () -> new TimeFormat("epoch_ms", null).toEpochMillis("yesterday"));
    }

    @Test
    void csvQuotesCommasAndLineBreaks() throws Exception {
        List<Csv.Row> r = rows("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n");
        assertEquals(List.of("x, y", "say \"hi\""), r.get(1).cells());
        assertEquals(List.of("multi\nline", "2"), r.get(2).cells());
        assertEquals(3, r.get(2).line());
    }
}
