package io.kingfisher.jobs;

import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.core.FloatList;
import io.kingfisher.schemas.wire.ConfluentWireFormat;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * Writes the {@link FeatureVector}s of one domain and feature spec in the Confluent wire format, byte for byte what
 * Avro writes, with the parts every vector shares encoded once: the domain, the spec hash and the column names (27
 * strings for fraud, most of a record's bytes). Avro's encoding, mostly of those names, was nearly half of handing
 * the vectors to the sink, and the sink is handed them all at each checkpoint barrier, while the stage that holds
 * them takes no events. Plain Java, not thread-safe (one per sink writer).
 *
 * <p>A vector with another domain, spec hash or names is not this encoder's: {@link #encode} returns null and the
 * caller writes it the general way.
 */
final class FeatureVectorEncoder {
    private final String domain;
    private final String specHash;
    private final List<String> names;
    /** The domain as Avro writes a string. */
    private final byte[] domainBytes;
    /** The spec hash and the names array, as Avro writes them. */
    private final byte[] hashAndNames;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
    private BinaryEncoder encoder;
    /**
     * The last names list found equal to {@link #names}, if it is immutable (of {@link List#copyOf}'s class): the
     * vectors of one job all share one such list, so it is compared once.
     */
    private List<String> namesSeen;

    FeatureVectorEncoder(String domain, String specHash, List<String> names) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.specHash = Objects.requireNonNull(specHash, "specHash");
        this.names = List.copyOf(names);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            e.writeString(domain);
            this.domainBytes = out.toByteArray();
            out.reset();
            e.writeString(specHash);
            e.writeArrayStart();
            e.setItemCount(this.names.size());
            for (String n : this.names) {
                e.startItem();
                e.writeString(n);
            }
            e.writeArrayEnd();
            this.hashAndNames = out.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not throw
        }
    }

    /** @return whether {@code v} has this encoder's domain, spec hash and names (an immutable list seen before is not compared again) */
    boolean fits(FeatureVector v) {
        if (!domain.equals(v.getDomain()) || !specHash.equals(v.getFeatureSpecHash())) {
            return false;
        }
        List<String> n = v.getNames();
        if (n != namesSeen) {
            if (!names.equals(n)) {
                return false;
            }
            if (n.getClass() == names.getClass()) {
                namesSeen = n;
            }
        }
        return true;
    }

    /**
     * @param schemaId the registry id of {@code FeatureVector}'s schema under the topic's subject
     * @return the vector in the wire format, or null if it does not {@linkplain #fits fit} this encoder
     * @throws NullPointerException if the vector has no entity or no values (the schema allows neither)
     */
    byte[] encode(int schemaId, FeatureVector v) {
        if (!fits(v)) {
            return null;
        }
        Objects.requireNonNull(v.getEntity(), "entity");
        List<Float> values = Objects.requireNonNull(v.getValues(), "values");
        buffer.reset();
        ConfluentWireFormat.writeHeader(buffer, schemaId);
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            encoder.writeFixed(domainBytes);
            encoder.writeString(v.getEntity());
            encoder.writeLong(v.getEventTime());
            encoder.writeLong(v.getUpdatedAt());
            encoder.writeFixed(hashAndNames);
            int n = values.size();
            encoder.writeArrayStart();
            encoder.setItemCount(n);
            if (values instanceof FloatList floats) {
                for (int i = 0; i < n; i++) {
                    encoder.startItem();
                    encoder.writeFloat(floats.getFloat(i));
                }
            } else {
                for (Float f : values) {
                    encoder.startItem();
                    encoder.writeFloat(f);
                }
            }
            encoder.writeArrayEnd();
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            encoder = null; // its buffer may hold part of the failed record
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException((IOException) e);
        }
        return buffer.toByteArray();
    }
}
