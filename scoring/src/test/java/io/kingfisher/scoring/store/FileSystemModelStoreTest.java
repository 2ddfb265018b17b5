package io.kingfisher.scoring.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemModelStoreTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putThenGetUnderDomainAndVersion() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(dir.toUri().toString());
        URI uri = store.put("fraud", 3, bytes("payload-3"));

        assertEquals(dir.resolve("fraud").resolve("v3.zip").toUri().getPath(), uri.getPath());
        assertEquals("file", uri.getScheme());
        assertArrayEquals(bytes("payload-3"), store.get(uri));
        assertArrayEquals(bytes("payload-3"), Files.readAllBytes(dir.resolve("fraud/v3.zip")));
        try (Stream<Path> files = Files.list(dir.resolve("fraud"))) {
            assertEquals(List.of("v3.zip"), files.map(p -> p.getFileName().toString()).toList(), "no temp files left");
        }
    }

    @Test
    void acceptsAPlainPathAsRoot() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(dir.toString());
        URI uri = store.put("clicks", 0, bytes("x"));
        assertArrayEquals(bytes("x"), new FileSystemModelStore(dir.toUri().toString()).get(uri));
    }

    @Test
    void versionsAreWriteOnce() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(dir.toUri().toString());
        URI first = store.put("fraud", 1, bytes("same"));
        assertEquals(first, store.put("fraud", 1, bytes("same")), "retrying with the same bytes is harmless");
        IOException e = assertThrows(IOException.class, () -> store.put("fraud", 1, bytes("other")));
        assertTrue(e.getMessage().contains("different content"), e.getMessage());
        assertArrayEquals(bytes("same"), store.get(first));
    }

    @Test
    void refusesToReadOutsideTheRoot() throws IOException {
        Path root = Files.createDirectories(dir.resolve("models"));
        Path outside = Files.write(dir.resolve("secret.zip"), bytes("secret"));
        FileSystemModelStore store = new FileSystemModelStore(root.toUri().toString());
        assertThrows(IOException.class, () -> store.get(outside.toUri()));
        assertThrows(IOException.class, () -> store.get(URI.create(root.toUri() + "fraud/../../secret.zip")));
        Files.createDirectories(dir.resolve("models-evil"));
        Path sibling = Files.write(dir.resolve("models-evil/v1.zip"), bytes("evil"));
        assertThrows(IOException.class, () -> store.get(sibling.toUri()));
    }

    @Test
    void missingPayloadIsAnIOException() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(dir.toUri().toString());
        assertThrows(IOException.class, () -> store.get(store.pathOf("fraud", 9).toUri()));
    }

    @Test
    void validatesDomainAndVersion() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(dir.toUri().toString());
        assertThrows(IllegalArgumentException.class, () -> store.put("../etc", 1, bytes("x")));
        assertThrows(IllegalArgumentException.class, () -> store.put("Fraud", 1, bytes("x")));
        assertThrows(IllegalArgumentException.class, () -> store.put("fraud", -1, bytes("x")));
        assertThrows(IllegalArgumentException.class, () -> store.put("fraud", 1, new byte[0]));
    }
}
