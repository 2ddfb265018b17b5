package io.kingfisher.trainer;

import io.kingfisher.scoring.store.FileSystemModelStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reserves model version numbers in blocks, in the model store, before they are published, so that a trainer
 * restored from a checkpoint never publishes a version number again.
 *
 * <p>The trainer publishes through an at-least-once sink: a snapshot is visible as soon as it is written, before the
 * checkpoint that covers the trainer's state. After a failure, the restored trainer may therefore have published
 * versions its state does not know. Every version lies in a block of {@value #BLOCK} that was reserved (an immutable
 * attachment {@code versions-<block>}) before its first version was published; blocks are reserved in order, so a
 * restored trainer that numbers its publications above the last reserved block cannot collide with any of them.
 * Costs one small file per {@value #BLOCK} versions, and a jump to the next block on each start or restore.
 */
public final class VersionBlocks {
    /** Versions per block. */
    public static final int BLOCK = 100;

    private final FileSystemModelStore store;
    private final String domain;
    private long reservedThrough = -1;

    public VersionBlocks(FileSystemModelStore store, String domain) {
        this.store = store;
        this.domain = domain;
    }

    /**
     * Makes sure the block holding {@code version} is reserved; call before publishing it.
     *
     * @throws IOException if the store cannot be written: the version must not be published then
     */
    public void reserve(long version) throws IOException {
        if (version <= reservedThrough) {
            return;
        }
        long block = version / BLOCK;
        store.putAttachment(domain, name(block), ("versions " + first(block) + "-" + last(block)
                + " reserved by the online trainer\n").getBytes(StandardCharsets.UTF_8));
        reservedThrough = last(block);
    }

    /**
     * @param known the newest version the caller knows to be published (its checkpointed or adopted version)
     * @return the last version of the reserved blocks that follow on from {@code known}'s block, or {@code known} if
     *     its block is not reserved: every version that can have been published from there on is at most this
     * @throws IOException if the store cannot be read
     */
    public long lastReserved(long known) throws IOException {
        long block = Math.max(0, known / BLOCK);
        long lastBlock = -1;
        while (store.getAttachment(domain, name(block)) != null) {
            lastBlock = block;
            block++;
        }
        if (lastBlock < 0) {
            return known;
        }
        reservedThrough = Math.max(reservedThrough, last(lastBlock));
        return Math.max(known, last(lastBlock));
    }

    private static long first(long block) {
        return block * BLOCK;
    }

    private static long last(long block) {
        return block * BLOCK + BLOCK - 1;
    }

    private static String name(long block) {
        return "versions-" + block;
    }
}
