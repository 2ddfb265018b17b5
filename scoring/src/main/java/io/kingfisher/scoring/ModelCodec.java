package io.kingfisher.scoring;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Encodes networks as model payloads in the {@value #FORMAT} format: DL4J's
 * {@link ModelSerializer} zip (configuration JSON, parameters and the updater state, so that
 * fine-tuning continues where training stopped). Stateless and thread-safe.
 */
public final class ModelCodec {

    /** The payload format id recorded in snapshots. */
    public static final String FORMAT = "dl4j-zip-v1";

    /**
     * @param network the network to encode
     * @return the zip bytes, including the updater state
     */
    public byte[] encode(MultiLayerNetwork network) {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            ModelSerializer.writeModel(network, out, true);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding the network failed", e);
        }
        return out.toByteArray();
    }

    /**
     * @param payload bytes produced by {@link #encode}
     * @return the network with its updater state, ready for inference or further training
     * @throws IOException if the payload is not a readable {@value #FORMAT} zip
     */
    public MultiLayerNetwork decode(byte[] payload) throws IOException {
        return decode(payload, true);
    }

    /**
     * @param payload     bytes produced by {@link #encode}
     * @param withUpdater whether to restore the updater state (to train further); scoring does not need it
     * @return the network
     * @throws IOException if the payload is not a readable {@value #FORMAT} zip
     */
    public MultiLayerNetwork decode(byte[] payload, boolean withUpdater) throws IOException {
        if (payload == null || payload.length == 0) {
            throw new IOException("empty model payload");
        }
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(payload), withUpdater);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException("not a readable " + FORMAT + " payload: " + e.getMessage(), e);
        }
    }

    /**
     * @param bytes any bytes
     * @return the lower-case hex SHA-256 of the bytes
     */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
