package io.kingfisher.scoring.snapshot;

import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.compress.Int8Codec;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The payload formats a snapshot may carry, each with its codec. Publishers choose one ({@code learning.payload}
 * in the learning job); scorers and trainers decode whichever a snapshot records.
 *
 * <ul>
 *   <li>{@link #FLOAT} ({@value ModelCodec#FORMAT}): DL4J's zip with float weights and the updater state, so
 *       fine-tuning continues exactly where it stopped.</li>
 *   <li>{@link #INT8} ({@value Int8Codec#FORMAT}): per-channel int8 weights, 2–3 times smaller than the float
 *       weights and without updater state; served as dequantized floats. A trainer that starts from such a payload
 *       starts with a fresh updater.</li>
 * </ul>
 */
public enum PayloadFormat {
    /** Float weights with the updater state. */
    FLOAT(ModelCodec.FORMAT, "float"),
    /** int8 weights with per-channel scales. */
    INT8(Int8Codec.FORMAT, "int8");

    private final String id;
    private final String shortName;

    PayloadFormat(String id, String shortName) {
        this.id = id;
        this.shortName = shortName;
    }

    /** @return the id recorded in a snapshot's {@code payload_format} */
    public String id() {
        return id;
    }

    /** @return the name used in configuration ({@code float} or {@code int8}) */
    public String shortName() {
        return shortName;
    }

    /** @return whether the payload carries the optimizer state fine-tuning needs to continue seamlessly */
    public boolean carriesUpdaterState() {
        return this == FLOAT;
    }

    /**
     * @param network the network to encode
     * @return its payload in this format
     */
    public byte[] encode(MultiLayerNetwork network) {
        return this == FLOAT ? new ModelCodec().encode(network) : new Int8Codec().encode(network);
    }

    /**
     * @param payload bytes in this format
     * @return the network (dequantized for {@link #INT8})
     * @throws IOException if the payload is not readable in this format
     */
    public MultiLayerNetwork decode(byte[] payload) throws IOException {
        return decode(payload, true);
    }

    /**
     * @param payload     bytes in this format
     * @param withUpdater whether to restore the optimizer state where the payload has one (to train further)
     * @return the network (dequantized for {@link #INT8})
     * @throws IOException if the payload is not readable in this format
     */
    public MultiLayerNetwork decode(byte[] payload, boolean withUpdater) throws IOException {
        return this == FLOAT ? new ModelCodec().decode(payload, withUpdater) : new Int8Codec().decode(payload);
    }

    /**
     * @param id a snapshot's {@code payload_format}
     * @return the format, or null if this release cannot decode it
     */
    public static PayloadFormat ofId(String id) {
        for (PayloadFormat f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        return null;
    }

    /**
     * @param name {@code float} or {@code int8} (or a format id), case-insensitive
     * @return the format
     * @throws IllegalArgumentException naming the accepted values
     */
    public static PayloadFormat parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (PayloadFormat f : values()) {
            if (f.shortName.equals(n) || f.id.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown payload format '" + name + "'; expected one of " + names());
    }

    /** @return the accepted configuration names, e.g. {@code float, int8} */
    public static String names() {
        return Arrays.stream(values()).map(PayloadFormat::shortName).collect(Collectors.joining(", "));
    }

    /** @return the ids this release decodes, e.g. {@code dl4j-zip-v1, dl4j-int8-v1} */
    public static String ids() {
        return Arrays.stream(values()).map(PayloadFormat::id).collect(Collectors.joining(", "));
    }
}
