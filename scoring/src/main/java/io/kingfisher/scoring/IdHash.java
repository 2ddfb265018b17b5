package io.kingfisher.scoring;

import java.nio.charset.StandardCharsets;

/**
 * Stable numeric stand-ins for string ids, so that an id can travel in a feature vector (a {@code float[]}) and be
 * embedded by a model without a vocabulary.
 *
 * <p><b>The contract.</b> {@link #hash24(String)} is the 32-bit FNV-1a hash of the id's UTF-8 bytes, xor-folded to
 * 24 bits ({@code (h >>> 24) ^ (h & 0xFFFFFF)}). 24 bits because every integer below 2<sup>24</sup> is exact in a
 * {@code float}: the value survives the feature vector, the {@code Score} record and the training example unchanged.
 * A model maps it to one of its {@code vocabulary} rows with {@link #bucket(float, int)}: {@code hash mod vocabulary}.
 * Distinct ids may share a bucket (the hashing trick); a larger vocabulary makes that rarer. Producers that write an
 * id hash into an event (e.g. {@code ClickEvent.user_hash}) must use this function; it never changes.
 */
public final class IdHash {
    /** Bits of {@link #hash24}. */
    public static final int BITS = 24;
    /** Largest vocabulary a hashed id can address. */
    public static final int MAX_VOCABULARY = 1 << BITS;

    private static final int FNV_OFFSET = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private IdHash() {
    }

    /**
     * @param id any non-null id
     * @return its 24-bit hash, in {@code [0, 2^24)}
     */
    public static int hash24(String id) {
        if (id == null) {
            throw new IllegalArgumentException("id must not be null");
        }
        int h = FNV_OFFSET;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= FNV_PRIME;
        }
        return (h >>> BITS) ^ (h & (MAX_VOCABULARY - 1));
    }

    /**
     * The table row of a hashed id.
     *
     * @param value      a hashed id as it sits in a feature vector; NaN (a missing id) maps to row 0, a fractional
     *                   value is truncated, a negative one wraps like {@link Math#floorMod}
     * @param vocabulary rows of the table, {@code >= 1}
     * @return the row, in {@code [0, vocabulary)}
     */
    public static int bucket(float value, int vocabulary) {
        if (vocabulary < 1) {
            throw new IllegalArgumentException("vocabulary must be >= 1, was " + vocabulary);
        }
        if (Float.isNaN(value)) {
            return 0;
        }
        return (int) Math.floorMod((long) value, (long) vocabulary);
    }
}
