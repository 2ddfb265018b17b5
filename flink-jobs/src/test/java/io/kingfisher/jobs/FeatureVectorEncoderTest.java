package io.kingfisher.jobs;

import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.schemas.core.FeatureVector;
import io.kingfisher.schemas.wire.ConfluentWireFormat;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The features topic's encoder writes what Avro writes, and leaves to Avro what is not its spec's. */
class FeatureVectorEncoderTest {
    private static final int SCHEMA_ID = 300;

    /** The reference: Avro's own writer of the generated class, behind the wire format's header. */
    private static byte[] avro(FeatureVector v) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(FeatureVector.class).write(v, e);
        e.flush();
        return ConfluentWireFormat.write(SCHEMA_ID, out.toByteArray());
    }

    private static FeatureVector vector(Domain domain, String entity, long eventTime, float seed) {
        float[] x = new float[domain.features().width()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 5 == 0 ? 0f : seed * (i - 7) / 3f;
        }
        InputEvent in = new InputEvent("ev", entity, eventTime, eventTime, new double[0], new String[0]);
        return new FeatureVectors(domain.name(), domain.features()).toVector(new FeaturedEvent(in, x), eventTime + 1_234_567L);
    }

    @Test
    void writesWhatAvroWritesForEveryBuiltInDomain() throws Exception {
        for (String name : BuiltInDomains.NAMES) {
            Domain d = BuiltInDomains.byName(name);
            FeatureVectorEncoder enc = new FeatureVectorEncoder(name, d.features().hash(), d.features().outputNames());
            for (FeatureVector v : List.of(vector(d, "card-7", 1_700_000_000_000L, 1.5f), vector(d, "", -3L, -0.25f),
                    vector(d, "ünïcødé-entity", 0L, Float.MAX_VALUE))) {
                assertArrayEquals(avro(v), enc.encode(SCHEMA_ID, v), name + " " + v.getEntity());
            }
            FeatureVector boxed = vector(d, "boxed", 5L, 2f);
            boxed.setValues(new ArrayList<>(boxed.getValues()));   // not a FloatList
            assertArrayEquals(avro(boxed), enc.encode(SCHEMA_ID, boxed), name + " with boxed values");
        }
    }

    @Test
    void aVectorOfAnotherDomainSpecOrColumnsIsLeftToAvro() {
        Domain fraud = BuiltInDomains.fraud();
        FeatureVectorEncoder enc = new FeatureVectorEncoder("fraud", fraud.features().hash(), fraud.features().outputNames());
        FeatureVector v = vector(fraud, "card-1", 10L, 1f);
        v.setDomain("clicks");
        assertNull(enc.encode(SCHEMA_ID, v));
        FeatureVector hash = vector(fraud, "card-1", 10L, 1f);
        hash.setFeatureSpecHash("0".repeat(64));
        assertNull(enc.encode(SCHEMA_ID, hash));
        FeatureVector renamed = vector(fraud, "card-1", 10L, 1f);
        List<String> names = new ArrayList<>(renamed.getNames());
        names.set(3, "something_else");
        renamed.setNames(names);
        assertNull(enc.encode(SCHEMA_ID, renamed));
        FeatureVector noEntity = vector(fraud, "card-1", 10L, 1f);
        noEntity.setEntity(null);
        assertThrows(NullPointerException.class, () -> enc.encode(SCHEMA_ID, noEntity));
    }
}
