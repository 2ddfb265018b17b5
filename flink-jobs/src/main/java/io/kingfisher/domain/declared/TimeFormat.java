package io.kingfisher.domain.declared;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * How a CSV column holds event time: {@code number} (with a unit: ms, s, min, h, d — e.g. a row number read
 * as seconds), {@code epoch_ms}, {@code epoch_s}, or {@code iso} (ISO-8601; UTC when it has no zone; a bare
 * date is midnight UTC).
 */
public record TimeFormat(String format, String unit) implements java.io.Serializable {

    public TimeFormat {
        format = format == null ? "" : format.toLowerCase(Locale.ROOT);
        switch (format) {
            case "number" -> {
                if (unit == null) {
                    throw new DomainFileException("time.unit: required when time.format is number (ms, s, min, h or d)");
                }
                unit = unit.toLowerCase(Locale.ROOT);
                multiplier(unit);
            }
            case "epoch_ms", "epoch_s", "iso" -> {
                if (unit != null) {
                    throw new DomainFileException("time.unit: only allowed with time.format number, not " + format);
                }
            }
            default -> throw new DomainFileException("time.format: '" + format + "' is not one of number, epoch_ms, epoch_s, iso");
        }
    }

    private static double multiplier(String unit) {
        return switch (unit) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "min" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> throw new DomainFileException("time.unit: '" + unit + "' is not one of ms, s, min, h, d");
        };
    }

    /** Epoch milliseconds of a cell; throws {@link IllegalArgumentException} with the reason. */
    public long toEpochMillis(String cell) {
        String v = cell.trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("event time is empty");
        }
        try {
            return switch (format) {
                case "number" -> Math.round(Double.parseDouble(v) * multiplier(unit));
                case "epoch_ms" -> Long.parseLong(v);
                case "epoch_s" -> Math.round(Double.parseDouble(v) * 1000);
                default -> parseIso(v);
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("cannot read '" + v + "' as " + format + (unit == null ? "" : " (" + unit + ")"));
        }
    }

    private static long parseIso(String v) {
        if (v.length() == 10) {
            return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        try {
            return OffsetDateTime.parse(v).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(v).toEpochMilli();
            } catch (DateTimeParseException e2) {
                return LocalDateTime.parse(v.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
        }
    }
}
