package io.kingfisher.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class GoldenSetTest {

    private static final float[][] X = {{1f, 2f}, {3f, Float.NaN}, {5f, 6f}, {7f, 8f}};
    private static final float[] Y = {0f, 1f, 0f, 1f};

    @Test
    void theChosenRowsKeepTheirAgesThroughTheCodec() {
        GoldenSet g = GoldenSet.of(X, Y, new long[] {0L, 10L, 20L, 30L}, new int[] {1, 3});
        assertArrayEquals(new long[] {10L, 30L}, g.ages());
        assertArrayEquals(new float[] {1f, 1f}, g.y());
        GoldenSet back = GoldenSet.decode(g.encode());
        assertEquals(g, back);
        assertTrue(Float.isNaN(back.x()[0][1]));
        assertArrayEquals(new long[] {10L, 30L}, back.ages());
    }

    @Test
    void rowsWithoutAgesStayWithout() {
        GoldenSet g = GoldenSet.of(X, Y, new int[] {0, 1, 2, 3});
        assertNull(g.ages());
        assertEquals(g, GoldenSet.decode(g.encode()));
        assertNull(GoldenSet.decode(g.encode()).ages());
    }

    @Test
    void theFirstFormatWithoutAgesIsStillRead() throws IOException {
        // A golden set as the warm starts of earlier releases wrote it: format 1, no ages.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x4B46_4753);
            out.writeInt(1);
            out.writeInt(2);
            out.writeInt(2);
            for (float v : new float[] {1f, 2f, 3f, 4f, 0f, 1f}) {
                out.writeFloat(v);
            }
        }
        GoldenSet g = GoldenSet.decode(bytes.toByteArray());
        assertArrayEquals(new float[] {3f, 4f}, g.x()[1]);
        assertArrayEquals(new float[] {0f, 1f}, g.y());
        assertNull(g.ages());
    }

    @Test
    void badInputIsRefusedNamingTheProblem() {
        IllegalArgumentException ages = assertThrows(IllegalArgumentException.class,
                () -> new GoldenSet(X, Y, new long[] {1L}));
        assertTrue(ages.getMessage().contains("ages"), ages.getMessage());
        byte[] encoded = GoldenSet.of(X, Y, new int[] {0, 1}).encode();
        encoded[7] = 9; // the format
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class, () -> GoldenSet.decode(encoded));
        assertTrue(format.getMessage().contains("format 9"), format.getMessage());
    }
}
