package io.kingfisher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kingfisher.schemas.core.Score;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class DemoRunTest {

    @Test
    void scoresAreReadThroughTheProjectionWithTheFieldsTheRunNeeds() throws Exception {
        Score score = Score.newBuilder().setEventId("e-17").setDomain("fraud").setEntity("card-3").setEventTime(1_000L)
                .setIngestTime(2_000L).setScoreTime(2_012L).setScore(0.875).setModelVersion(42L)
                .setFeatureSpecHash("h".repeat(64)).setFeatures(List.of(1f, 2f, 3f)).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(Score.class).write(score, encoder);
        encoder.flush();
        GenericRecord projected = new GenericDatumReader<GenericRecord>(Score.getClassSchema(), DemoRun.SCORE_PROJECTION)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertEquals(new DemoRun.Scored("e-17", 2_000L, 2_012L, 0.875, 42L), DemoRun.scored(projected));
        assertEquals(5, DemoRun.SCORE_PROJECTION.getFields().size(), "the features are skipped, not decoded");
    }
}
