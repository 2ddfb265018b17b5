package io.kingfisher.features.flink;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Serializes feature state ({@code double[]}) compactly: feature state is mostly empty time buckets (0), unset
 * slots (NaN) and whole numbers (counts, bucket indexes, event times, packed sketch words), which need far fewer
 * than 8 bytes. Layout: the length as a varint, a 2-bit tag per slot (four to a byte), then per slot by tag:
 * {@code 0} +0.0 (nothing), {@code 1} NaN (nothing), {@code 2} a whole number below 2^53 as a zig-zag varint,
 * {@code 3} the raw 8 bytes. Exact for every value but NaN payloads, which read back as the canonical NaN (as
 * with Flink's own double serializers). Smaller values make RocksDB reads, writes, compactions and checkpoints
 * cheaper.
 *
 * <p>State written by {@link DoublePrimitiveArraySerializer} (before this serializer existed) is migrated when
 * restored: the snapshot declares it compatible after migration.
 */
public final class CompactDoubleArraySerializer extends TypeSerializerSingleton<double[]> {
    private static final long serialVersionUID = 1L;
    public static final CompactDoubleArraySerializer INSTANCE = new CompactDoubleArraySerializer();

    private static final int ZERO = 0;
    private static final int NAN = 1;
    private static final int WHOLE = 2;
    private static final int RAW = 3;
    private static final double WHOLE_LIMIT = 0x1p53;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public double[] createInstance() {
        return new double[0];
    }

    @Override
    public double[] copy(double[] from) {
        return from.clone();
    }

    @Override
    public double[] copy(double[] from, double[] reuse) {
        return from.clone();
    }

    @Override
    public int getLength() {
        return -1;
    }

    static int tag(double v) {
        if (v == 0.0) {
            return Double.doubleToRawLongBits(v) == 0L ? ZERO : RAW; // -0.0 keeps its sign
        }
        if (Double.isNaN(v)) {
            return NAN;
        }
        return v == Math.rint(v) && Math.abs(v) < WHOLE_LIMIT ? WHOLE : RAW;
    }

    @Override
    public void serialize(double[] record, DataOutputView target) throws IOException {
        // into one array, then one write: a view's per-byte writes cost more than the encoding itself
        int n = record.length;
        byte[] buf = new byte[10 + (n + 3) / 4 + 9 * n];
        int pos = putVarLong(buf, 0, n);
        int tags = pos;
        pos += (n + 3) / 4;
        for (int i = 0; i < n; i++) {
            double v = record[i];
            int tag = tag(v);
            buf[tags + (i >> 2)] |= (byte) (tag << (2 * (i & 3)));
            if (tag == WHOLE) {
                long l = (long) v;
                pos = putVarLong(buf, pos, (l << 1) ^ (l >> 63));
            } else if (tag == RAW) {
                long bits = Double.doubleToRawLongBits(v);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    buf[pos++] = (byte) (bits >>> shift); // big-endian, as DataOutput.writeLong
                }
            }
        }
        target.write(buf, 0, pos);
    }

    private static int putVarLong(byte[] buf, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return pos;
    }

    @Override
    public double[] deserialize(DataInputView source) throws IOException {
        int n = (int) readVarLong(source);
        double[] out = new double[n];
        byte[] tags = new byte[(n + 3) / 4];
        source.readFully(tags);
        for (int i = 0; i < n; i++) {
            switch ((tags[i >> 2] >>> (2 * (i & 3))) & 3) {
                case NAN -> out[i] = Double.NaN;
                case WHOLE -> {
                    long z = readVarLong(source);
                    out[i] = (double) ((z >>> 1) ^ -(z & 1));
                }
                case RAW -> out[i] = Double.longBitsToDouble(source.readLong());
                default -> out[i] = 0.0;
            }
        }
        return out;
    }

    @Override
    public double[] deserialize(double[] reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private static long readVarLong(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.readByte();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IOException("malformed varint in feature state");
    }

    @Override
    public TypeSerializerSnapshot<double[]> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Compatible with itself; state of Flink's plain double-array serializer is migrated. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<double[]> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<double[]> resolveSchemaCompatibility(TypeSerializerSnapshot<double[]> old) {
            if (old instanceof DoublePrimitiveArraySerializer.DoublePrimitiveArraySerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(old);
        }
    }
}
