package io.kingfisher.domain.declared;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns CSV rows into Avro records of the schema derived from a domain file: {@code event_id} (string),
 * {@code event_time} (epoch ms), {@code entity} (string, when the file names a key), then each numeric feature
 * column as an optional double and each categorical one as an optional string. An empty numeric or categorical
 * cell is a missing value, not an error; a row that does not fit (wrong number of cells, text in a numeric
 * column, a bad time or label) throws {@link BadRowException} naming the line and the column.
 */
public final class RowReader {
    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    public static final String EVENT_ID = "event_id";
    public static final String EVENT_TIME = "event_time";
    public static final String ENTITY = "entity";

    private final DomainFile file;
    private final int width;
    private final int idIdx;
    private final int keyIdx;
    private final int timeIdx;
    private final int labelIdx;
    private final int[] numIdx;
    private final int[] catIdx;
    private final Schema eventSchema;
    private final Schema labelSchema;

    /** One row read: the event, its label and when the label becomes known. */
    public record ParsedRow(long line, GenericRecord event, String eventId, String key, long eventTime, double label,
                            long labelTime, String raw) {
    }

    /** A row that does not fit its domain file. */
    public static final class BadRowException extends Exception {
        private final long line;

        public BadRowException(long line, String problem) {
            super("line " + line + ": " + problem);
            this.line = line;
        }

        public long line() {
            return line;
        }
    }

    public RowReader(DomainFile file, List<String> header) {
        file.checkColumns(header);
        this.file = file;
        this.width = header.size();
        this.idIdx = file.idColumn() == null ? -1 : header.indexOf(file.idColumn());
        this.keyIdx = file.keyColumn() == null ? -1 : header.indexOf(file.keyColumn());
        this.timeIdx = header.indexOf(file.timeColumn());
        this.labelIdx = header.indexOf(file.labelColumn());
        this.numIdx = file.numeric().stream().mapToInt(header::indexOf).toArray();
        this.catIdx = file.categorical().stream().mapToInt(header::indexOf).toArray();
        String recordName = camel(file.name());
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(recordName + "Event")
                .namespace("io.kingfisher.declared." + file.name().replace('-', '_'))
                .doc("Derived by Kingfisher from the domain file of '" + file.name() + "'.")
                .fields()
                .requiredString(EVENT_ID)
                .requiredLong(EVENT_TIME);
        if (keyIdx >= 0) {
            fields = fields.requiredString(ENTITY);
        }
        for (String c : file.numeric()) {
            fields = fields.optionalDouble(avroName(c, "features.numeric"));
        }
        for (String c : file.categorical()) {
            fields = fields.optionalString(avroName(c, "features.categorical"));
        }
        this.eventSchema = fields.endRecord();
        this.labelSchema = SchemaBuilder.record(recordName + "Label")
                .namespace("io.kingfisher.declared." + file.name().replace('-', '_'))
                .fields().requiredString(EVENT_ID).requiredDouble("label").requiredLong("label_time").endRecord();
    }

    public Schema eventSchema() {
        return eventSchema;
    }

    public Schema labelSchema() {
        return labelSchema;
    }

    /** The key field in the event schema, or null when events are keyed by id. */
    public String keyField() {
        return keyIdx >= 0 ? ENTITY : null;
    }

    public ParsedRow read(Csv.Row row) throws BadRowException {
        List<String> cells = row.cells();
        if (cells.size() != width) {
            throw new BadRowException(row.line(), "has " + cells.size() + " cells, the header has " + width);
        }
        String id = idIdx < 0 ? "line-" + row.line() : cells.get(idIdx).trim();
        if (id.isEmpty()) {
            throw new BadRowException(row.line(), "id column '" + file.idColumn() + "' is empty");
        }
        long time;
        try {
            time = file.timeFormat().toEpochMillis(cells.get(timeIdx));
        } catch (IllegalArgumentException e) {
            throw new BadRowException(row.line(), "time column '" + file.timeColumn() + "': " + e.getMessage());
        }
        double label = label(row.line(), cells.get(labelIdx));
        GenericRecord r = new GenericData.Record(eventSchema);
        r.put(EVENT_ID, id);
        r.put(EVENT_TIME, time);
        String key = id;
        if (keyIdx >= 0) {
            key = cells.get(keyIdx).trim();
            if (key.isEmpty()) {
                throw new BadRowException(row.line(), "key column '" + file.keyColumn() + "' is empty");
            }
            r.put(ENTITY, key);
        }
        for (int i = 0; i < numIdx.length; i++) {
            String v = cells.get(numIdx[i]).trim();
            if (v.isEmpty()) {
                continue; // missing: imputed downstream, with a missing indicator
            }
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new BadRowException(row.line(), "numeric column '" + file.numeric().get(i) + "' holds '" + v + "'");
            }
            if (!Double.isFinite(d)) {
                throw new BadRowException(row.line(), "numeric column '" + file.numeric().get(i) + "' is not finite: " + v);
            }
            r.put(file.numeric().get(i), d);
        }
        for (int i = 0; i < catIdx.length; i++) {
            String v = cells.get(catIdx[i]).trim();
            r.put(file.categorical().get(i), v.isEmpty() ? null : v);
        }
        return new ParsedRow(row.line(), r, id, key, time, label, time + file.labelDelay().toMillis(), row.raw());
    }

    private double label(long line, String cell) throws BadRowException {
        String v = cell.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "1", "1.0", "true" -> 1.0;
            case "0", "0.0", "false" -> 0.0;
            default -> throw new BadRowException(line, "label column '" + file.labelColumn() + "' holds '" + cell
                    + "' (expected 1/0 or true/false)");
        };
    }

    private static String avroName(String column, String key) {
        if (!AVRO_NAME.matcher(column).matches()) {
            throw new DomainFileException(key + ": column '" + column + "' is not usable as a field name (letters, digits, _; not starting with a digit)");
        }
        if (column.equals(EVENT_ID) || column.equals(EVENT_TIME) || column.equals(ENTITY)) {
            throw new DomainFileException(key + ": column '" + column + "' clashes with a field Kingfisher adds (" + EVENT_ID + ", " + EVENT_TIME + ", " + ENTITY + ")");
        }
        return column;
    }

    private static String camel(String name) {
        StringBuilder b = new StringBuilder();
        boolean up = true;
        for (char c : name.toCharArray()) {
            if (c == '-' || c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }
}
