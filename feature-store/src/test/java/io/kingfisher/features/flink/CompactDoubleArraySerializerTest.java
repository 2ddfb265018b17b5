package io.kingfisher.features.flink;

import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompactDoubleArraySerializerTest {
    private static final CompactDoubleArraySerializer S = CompactDoubleArraySerializer.INSTANCE;

    private static byte[] bytes(double[] v) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        S.serialize(v, out);
        return out.getCopyOfBuffer();
    }

    private static double[] read(byte[] b) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(b);
        double[] v = S.deserialize(in);
        assertEquals(0, in.available(), "reads exactly what was written");
        return v;
    }

    @Test
    void everyValueReadsBackBitForBit() throws IOException {
        double[] v = {0.0, -0.0, Double.NaN, 1, -1, 3, 1_767_225_600_000.0, 0x1p52, -0x1p52, 0x1p53, -0x1p53, 0x1p53 + 2,
                0.5, -12.34, Math.PI, Double.MIN_VALUE, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                281_474_976_710_655.0, -1e300, 1e-300};
        double[] back = read(bytes(v));
        assertEquals(v.length, back.length);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Double.doubleToLongBits(v[i]), Double.doubleToLongBits(back[i]), "slot " + i + " = " + v[i]);
        }
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back[1]), "the sign of -0.0 survives");
        assertArrayEquals(new double[0], read(bytes(new double[0])));
        for (int n = 1; n <= 9; n++) { // lengths around the packing of four tags a byte
            double[] w = new double[n];
            Arrays.setAll(w, i -> i % 3 == 0 ? Double.NaN : i * 1.5);
            double[] r = read(bytes(w));
            for (int i = 0; i < n; i++) {
                assertEquals(Double.doubleToLongBits(w[i]), Double.doubleToLongBits(r[i]), n + "/" + i);
            }
        }
    }

    @Test
    void emptyBucketsUnsetSlotsAndWholeNumbersTakeFewBytes() throws IOException {
        double[] state = new double[100];
        Arrays.fill(state, 0, 10, Double.NaN);  // unset
        state[10] = 2_945_376;                   // a bucket index: 4 bytes (zig-zag)
        state[11] = 3;                           // a count: 1 byte
        state[12] = 1_767_225_600_000.0;         // an event time: 6 bytes
        state[13] = 12.34;                       // a sum: 8 bytes
        assertEquals(1 + 25 + 4 + 1 + 6 + 8, bytes(state).length, "against 800 bytes raw");
    }

    @Test
    void theLayoutIsPinnedByteForByte() throws IOException {
        // length 5; tags zero, NaN, whole, raw | whole; then 3 zig-zagged, 1.5's bits big-endian, -2 zig-zagged
        byte[] expected = {5, (byte) 0b1110_0100, 0b10, 6, 0x3F, (byte) 0xF8, 0, 0, 0, 0, 0, 0, 3};
        assertArrayEquals(expected, bytes(new double[]{0.0, Double.NaN, 3.0, 1.5, -2.0}), "stored state must stay readable");
    }

    @Test
    void copiesAreIndependent() {
        double[] v = {1, 2};
        double[] c = S.copy(v);
        c[0] = 9;
        assertEquals(1, v[0]);
    }

    @Test
    void theSnapshotRestoresTheSerializerAndMigratesPlainDoubleArrayState() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, S.snapshotConfiguration());
        TypeSerializerSnapshot<double[]> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertSame(S, restored.restoreSerializer());
        assertTrue(S.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs());
        TypeSerializerSchemaCompatibility<double[]> fromPlain = S.snapshotConfiguration()
                .resolveSchemaCompatibility(DoublePrimitiveArraySerializer.INSTANCE.snapshotConfiguration());
        assertTrue(fromPlain.isCompatibleAfterMigration());
    }
}
