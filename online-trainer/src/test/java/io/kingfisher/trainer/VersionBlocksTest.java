package io.kingfisher.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kingfisher.scoring.store.FileSystemModelStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionBlocksTest {

    @Test
    void aFreshStoreReservesNothing(@TempDir Path dir) throws Exception {
        VersionBlocks blocks = new VersionBlocks(new FileSystemModelStore(dir.toUri().toString()), "fraud");
        assertEquals(1, blocks.lastReserved(1));
        assertEquals(250, blocks.lastReserved(250));
    }

    @Test
    void aRestoredTrainerNumbersAboveEveryReservedBlock(@TempDir Path dir) throws Exception {
        FileSystemModelStore store = new FileSystemModelStore(dir.toUri().toString());
        VersionBlocks before = new VersionBlocks(store, "fraud");
        for (long v = 2; v <= 230; v++) {
            before.reserve(v); // one file per block: 0, 1, 2
        }
        VersionBlocks after = new VersionBlocks(store, "fraud");
        assertEquals(299, after.lastReserved(7), "a checkpoint at v7 still clears v230");
        assertEquals(299, after.lastReserved(230));
        assertEquals(450, new VersionBlocks(store, "clicks").lastReserved(450), "blocks are per domain");
        // Reserving again is harmless (the attachment is immutable and identical).
        after.reserve(300);
        new VersionBlocks(store, "fraud").reserve(301);
        assertEquals(399, new VersionBlocks(store, "fraud").lastReserved(1));
    }
}
