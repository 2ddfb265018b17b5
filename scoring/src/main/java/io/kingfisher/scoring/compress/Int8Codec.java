package io.kingfisher.scoring.compress;

import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.Networks;
import io.kingfisher.scoring.compress.QuantizedMatrix.Axis;
import io.kingfisher.scoring.nn.IdEmbeddingLayer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Encodes networks as {@value #FORMAT} payloads: the network's configuration and its parameters, with every weight
 * matrix in int8 ({@link Int8Quantizer}) and everything else (biases) in float32. An inference payload: it carries
 * no updater state, so training continued from it starts its optimiser afresh. Stateless and thread-safe.
 *
 * <p><b>Which parameters are int8.</b> The 2-D weight parameters of each layer (as its DL4J parameter initializer
 * names them): a dense or output layer's {@code W} ({@code [nIn, nOut]}) with one scale per output column, an
 * {@link IdEmbeddingLayer}'s tables {@code E0, E1, ...} ({@code [vocabulary, dimension]}) with one scale per row (per
 * embedded id). The fixed input standardisation is part of the configuration and stays exact.
 *
 * <p><b>Layout</b> (big-endian, as {@link DataOutputStream} writes):
 * <pre>
 *   UTF    "dl4j-int8-v1"                       (uncompressed; the rest is one DEFLATE stream)
 *   int    n, then n bytes                      the MultiLayerConfiguration JSON, UTF-8
 *   int    parameter count
 *   per parameter, in the network's parameter order:
 *     UTF  key                                  e.g. "0_W", "2_b", "0_E1"
 *     byte kind                                 0 = float32, 1 = int8 per column, 2 = int8 per row
 *     int  rank, then rank ints: the shape      int8 kinds are rank 2: [rows, cols]
 *     kind 0: length floats (row-major)
 *     kind 1 or 2: the scales (cols or rows floats), then rows * cols bytes (row-major)
 * </pre>
 *
 * <p><b>Scoring.</b> {@link #decode} rebuilds the network from the configuration and fills it with the dequantized
 * weights, once, so an int8 payload is served by the same {@link Dl4jModel} as a float one, at the same speed; what
 * it saves is payload bytes (storage, transfer to every scorer, load time), not arithmetic.
 */
public final class Int8Codec {

    /** The payload format id. */
    public static final String FORMAT = "dl4j-int8-v1";

    static final byte FLOAT32 = 0;
    static final byte INT8_PER_COLUMN = 1;
    static final byte INT8_PER_ROW = 2;

    /**
     * @param network a float network (e.g. one built by {@link io.kingfisher.scoring.Architectures})
     * @return the {@value #FORMAT} payload
     * @throws IllegalArgumentException if a weight is not finite
     */
    public byte[] encode(MultiLayerNetwork network) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try {
            new DataOutputStream(bytes).writeUTF(FORMAT);
            Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
            try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(bytes, deflater))) {
                byte[] json = conf.toJson().getBytes(StandardCharsets.UTF_8);
                out.writeInt(json.length);
                out.write(json);
                Map<String, INDArray> params = network.paramTable();
                out.writeInt(params.size());
                for (Map.Entry<String, INDArray> e : params.entrySet()) {
                    writeParam(out, e.getKey(), e.getValue(), conf);
                }
            } finally {
                deflater.end();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("encoding the network failed", e);
        }
        return bytes.toByteArray();
    }

    private static void writeParam(DataOutputStream out, String key, INDArray param, MultiLayerConfiguration conf)
            throws IOException {
        long[] shape = param.shape();
        float[] values = Nd4j.toFlattened('c', param.castTo(DataType.FLOAT)).toFloatVector();
        byte kind = kindOf(key, shape, conf);
        out.writeUTF(key);
        out.writeByte(kind);
        out.writeInt(shape.length);
        for (long d : shape) {
            out.writeInt(Math.toIntExact(d));
        }
        if (kind == FLOAT32) {
            for (float v : values) {
                out.writeFloat(v);
            }
            return;
        }
        QuantizedMatrix q;
        try {
            q = Int8Quantizer.quantize(values, (int) shape[0], (int) shape[1],
                    kind == INT8_PER_COLUMN ? Axis.PER_COLUMN : Axis.PER_ROW);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameter " + key + ": " + e.getMessage(), e);
        }
        for (float s : q.scales()) {
            out.writeFloat(s);
        }
        out.write(q.values());
    }

    /** int8 for a layer's 2-D weight parameters (per row for embedding tables, per column otherwise), else float32. */
    static byte kindOf(String key, long[] shape, MultiLayerConfiguration conf) {
        int sep = key.indexOf('_');
        if (sep < 1 || shape.length != 2) {
            return FLOAT32;
        }
        int index;
        try {
            index = Integer.parseInt(key.substring(0, sep));
        } catch (NumberFormatException e) {
            return FLOAT32;
        }
        Layer layer = conf.getConf(index).getLayer();
        if (!layer.initializer().isWeightParam(layer, key.substring(sep + 1))) {
            return FLOAT32;
        }
        return layer instanceof IdEmbeddingLayer ? INT8_PER_ROW : INT8_PER_COLUMN;
    }

    /**
     * @param payload bytes produced by {@link #encode}
     * @return a float network holding the dequantized weights, initialised, without updater state
     * @throws IOException if the payload is not a readable {@value #FORMAT} payload or does not fit its configuration
     */
    public MultiLayerNetwork decode(byte[] payload) throws IOException {
        if (payload == null || payload.length == 0) {
            throw new IOException("empty model payload");
        }
        ByteArrayInputStream bytes = new ByteArrayInputStream(payload);
        String header;
        try {
            header = new DataInputStream(bytes).readUTF();
        } catch (IOException e) {
            throw new IOException("not a " + FORMAT + " payload: no format header", e);
        }
        if (!FORMAT.equals(header)) {
            throw new IOException("not a " + FORMAT + " payload: header says '" + abbreviate(header) + "'");
        }
        MultiLayerNetwork network = null;
        try (DataInputStream in = new DataInputStream(new InflaterInputStream(bytes))) {
            int n = in.readInt();
            if (n <= 0 || n > payload.length * 1100L) {
                throw new IOException("corrupt " + FORMAT + " payload: configuration length " + n);
            }
            byte[] json = in.readNBytes(n);
            if (json.length != n) {
                throw new EOFException("truncated configuration");
            }
            MultiLayerConfiguration conf;
            try {
                conf = MultiLayerConfiguration.fromJson(new String(json, StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                throw new IOException(FORMAT + " payload has an unreadable configuration: " + e.getMessage(), e);
            }
            network = new MultiLayerNetwork(conf);
            network.init();
            Map<String, INDArray> params = network.paramTable();
            int count = in.readInt();
            if (count != params.size()) {
                throw new IOException(FORMAT + " payload has " + count + " parameters, its configuration needs " + params.size());
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < count; i++) {
                readParam(in, params, seen);
            }
            if (in.read() != -1) {
                throw new IOException(FORMAT + " payload has bytes after its last parameter");
            }
            return network;
        } catch (IOException | RuntimeException e) {
            if (network != null) {
                Networks.release(network);
            }
            if (e instanceof EOFException || e instanceof java.util.zip.ZipException) {
                throw new IOException("truncated or corrupt " + FORMAT + " payload: " + e.getMessage(), e);
            }
            if (e instanceof RuntimeException) {
                throw new IOException("not a readable " + FORMAT + " payload: " + e.getMessage(), e);
            }
            throw (IOException) e;
        }
    }

    private static void readParam(DataInputStream in, Map<String, INDArray> params, Set<String> seen) throws IOException {
        String key = in.readUTF();
        INDArray target = params.get(key);
        if (target == null || !seen.add(key)) {
            throw new IOException(FORMAT + " payload has " + (target == null ? "an unknown" : "a repeated") + " parameter '"
                    + key + "'; the configuration's are " + params.keySet());
        }
        byte kind = in.readByte();
        int rank = in.readInt();
        if (rank < 0 || rank > 8) {
            throw new IOException("parameter " + key + ": corrupt rank " + rank);
        }
        long[] shape = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = in.readInt();
        }
        if (!Arrays.equals(shape, target.shape())) {
            throw new IOException("parameter " + key + " has shape " + Arrays.toString(shape) + " in the payload, "
                    + Arrays.toString(target.shape()) + " in its configuration");
        }
        int length = Math.toIntExact(target.length());
        float[] values;
        if (kind == FLOAT32) {
            values = new float[length];
            for (int i = 0; i < length; i++) {
                values[i] = in.readFloat();
            }
        } else if (kind == INT8_PER_COLUMN || kind == INT8_PER_ROW) {
            if (rank != 2) {
                throw new IOException("parameter " + key + ": int8 parameters are 2-D, this one has rank " + rank);
            }
            int rows = (int) shape[0];
            int cols = (int) shape[1];
            Axis axis = kind == INT8_PER_COLUMN ? Axis.PER_COLUMN : Axis.PER_ROW;
            float[] scales = new float[axis == Axis.PER_COLUMN ? cols : rows];
            for (int i = 0; i < scales.length; i++) {
                scales[i] = in.readFloat();
            }
            byte[] q = in.readNBytes(length);
            if (q.length != length) {
                throw new EOFException("parameter " + key + " is truncated");
            }
            try {
                values = new QuantizedMatrix(rows, cols, axis, q, scales).dequantize();
            } catch (IllegalArgumentException e) {
                throw new IOException("parameter " + key + ": " + e.getMessage(), e);
            }
        } else {
            throw new IOException("parameter " + key + " has unknown kind " + kind);
        }
        target.assign(Nd4j.create(values, shape, 'c').castTo(target.dataType()));
    }

    /**
     * Decodes a payload and wraps it for scoring.
     *
     * @param payload       bytes produced by {@link #encode}
     * @param version       the snapshot version the model is served as
     * @param batchCapacity the largest micro-batch it will score
     * @return a {@link Dl4jModel} over the dequantized network
     * @throws IOException if the payload cannot be decoded
     */
    public Model load(byte[] payload, long version, int batchCapacity) throws IOException {
        return new Dl4jModel(decode(payload), version, batchCapacity);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
