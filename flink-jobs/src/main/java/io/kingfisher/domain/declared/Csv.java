package io.kingfisher.domain.declared;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 reader: comma-separated, double-quoted fields with {@code ""} for a quote, quoted fields
 * may hold commas and line breaks. Reports the line each record started on.
 */
public final class Csv implements AutoCloseable {
    private final BufferedReader in;
    private long line;

    public Csv(BufferedReader in) {
        this.in = in;
    }

    /** One record and the 1-based line it started on; {@code raw} is its text as read. */
    public record Row(long line, List<String> cells, String raw) {
    }

    /** The next record, or null at end of input; an unterminated quote throws naming the line. */
    public Row next() throws IOException {
        String first = in.readLine();
        if (first == null) {
            return null;
        }
        long startLine = ++line;
        StringBuilder raw = new StringBuilder(first);
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        String text = first;
        int i = 0;
        while (true) {
            if (i == text.length()) {
                if (quoted) {
                    String more = in.readLine();
                    if (more == null) {
                        throw new IOException("line " + startLine + ": a quoted field is never closed");
                    }
                    line++;
                    raw.append('\n').append(more);
                    cell.append('\n');
                    text = more;
                    i = 0;
                    continue;
                }
                cells.add(cell.toString());
                return new Row(startLine, cells, raw.toString());
            }
            char c = text.charAt(i++);
            if (quoted) {
                if (c == '"') {
                    if (i < text.length() && text.charAt(i) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.length() == 0) {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
