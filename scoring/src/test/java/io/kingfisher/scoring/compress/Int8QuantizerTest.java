package io.kingfisher.scoring.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.scoring.compress.QuantizedMatrix.Axis;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Int8QuantizerTest {

    /** Columns of very different magnitudes, as a trained layer has them. */
    private static float[] weights(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w[i * cols + j] = (float) (r.nextGaussian() * Math.pow(10, (j % 4) - 2));
            }
        }
        return w;
    }

    @Test
    void everyElementIsWithinHalfItsChannelsScale() {
        for (Axis axis : Axis.values()) {
            float[] w = weights(37, 11, 5L);
            QuantizedMatrix q = Int8Quantizer.quantize(w, 37, 11, axis);
            float[] back = q.dequantize();
            for (int r = 0; r < 37; r++) {
                for (int c = 0; c < 11; c++) {
                    int i = r * 11 + c;
                    double bound = q.scale(r, c) / 2.0 * (1 + 1e-5) + 1e-12;
                    assertTrue(Math.abs(w[i] - back[i]) <= bound,
                            axis + " (" + r + ", " + c + "): " + w[i] + " -> " + back[i] + ", bound " + bound);
                    assertTrue(Math.abs(w[i] - back[i]) <= q.maxRoundingError() * (1 + 1e-5));
                }
            }
        }
    }

    @Test
    void scalesArePerChannelMaxOver127AndTheLargestWeightIsExact() {
        float[] w = {
                1f, -0.011f, 0f,
                -2.54f, 0.005f, 0f,
                0.5f, 0.02f, 0f};
        QuantizedMatrix q = Int8Quantizer.quantize(w, 3, 3, Axis.PER_COLUMN);
        assertArrayEquals(new float[] {2.54f / 127, 0.02f / 127, 0f}, q.scales(), 1e-9f);
        assertEquals(-127, q.values()[3], "the column's largest magnitude maps to -127");
        assertEquals(127, q.values()[7]);
        float[] back = q.dequantize();
        assertEquals(-2.54f, back[3], 1e-6f);
        assertEquals(0.02f, back[7], 1e-8f);
        assertEquals(0f, back[2], "a channel of zeros stays zero");
        assertEquals(0f, back[8]);
        // A per-matrix scale (2.54/127 = 0.02) would have rounded the small column to -1, 0, 1.
        assertEquals(-70, q.values()[1], "the small column keeps its own resolution");

        QuantizedMatrix rows = Int8Quantizer.quantize(w, 3, 3, Axis.PER_ROW);
        assertArrayEquals(new float[] {1f / 127, 2.54f / 127, 0.5f / 127}, rows.scales(), 1e-9f);
        assertEquals(127, rows.values()[0]);
        assertEquals(127, rows.values()[6]);
    }

    @Test
    void valuesStayInTheSymmetricRangeAndRequantizingIsStable() {
        float[] w = weights(64, 9, 8L);
        QuantizedMatrix q = Int8Quantizer.quantize(w, 64, 9, Axis.PER_COLUMN);
        for (byte b : q.values()) {
            assertTrue(b >= -127 && b <= 127);
        }
        QuantizedMatrix again = Int8Quantizer.quantize(q.dequantize(), 64, 9, Axis.PER_COLUMN);
        assertArrayEquals(q.values(), again.values(), "quantizing dequantized weights changes nothing");
        assertEquals(64 * 9 + 4 * 9, q.storedBytes());
    }

    @Test
    void badInputIsRefusedNamingTheProblem() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Int8Quantizer.quantize(new float[] {1f, Float.NaN}, 1, 2, Axis.PER_COLUMN));
        assertTrue(nan.getMessage().contains("non-finite") && nan.getMessage().contains("(0, 1)"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Int8Quantizer.quantize(new float[3], 2, 2, Axis.PER_ROW));
        assertThrows(IllegalArgumentException.class, () -> Int8Quantizer.quantize(new float[4], 2, 2, null));
        assertThrows(IllegalArgumentException.class,
                () -> new QuantizedMatrix(1, 2, Axis.PER_ROW, new byte[] {1, -128}, new float[] {1f}));
        assertThrows(IllegalArgumentException.class,
                () -> new QuantizedMatrix(1, 2, Axis.PER_COLUMN, new byte[] {1, 2}, new float[] {1f}));
    }
}
