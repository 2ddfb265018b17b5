package io.kingfisher.streams.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureLookupMainTest {

    @Test
    void argumentsAreSettingsAndFilesInOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lookup.properties");
        Files.writeString(file, "lookup.domains = fraud\nlookup.http.port=9000\n");
        Map<String, String> s = FeatureLookupMain.settings(new String[] {file.toString(), "lookup.http.port=9001"});
        assertEquals(Map.of("lookup.domains", "fraud", "lookup.http.port", "9001"), s);
    }

    @Test
    void anArgumentThatIsNeitherIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FeatureLookupMain.settings(new String[] {"no-such-file"}));
        assertTrue(e.getMessage().contains("'no-such-file'"), e.getMessage());
    }
}
