package io.kingfisher.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes benchmark results as indented JSON (kept apart from the benchmarks, so writing needs none of their classes). */
public final class BenchJson {
    private BenchJson() {
    }

    /** Writes the results, creating the parent folder if needed. */
    public static void write(Map<String, ? extends Map<String, ?>> results, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results) + "\n");
    }
}
