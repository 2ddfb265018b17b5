package io.kingfisher.scoring.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.TestData;
import io.kingfisher.scoring.snapshot.Verification.Outcome;
import io.kingfisher.scoring.store.FileSystemModelStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class SnapshotsTest {

    private static final byte[] KEY = "test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC = "spec-abc";

    @TempDir
    Path dir;

    private FileSystemModelStore store;
    private MultiLayerNetwork network;
    private byte[] payload;
    private ModelSnapshot signed;

    @BeforeEach
    void setUp() throws IOException {
        store = new FileSystemModelStore(dir.toUri().toString());
        network = TestData.trainedMlp(4, new int[] {6}, 9L);
        payload = new ModelCodec().encode(network);
        signed = snapshot(store.put("fraud", 2, payload), payload, KEY);
    }

    private ModelSnapshot snapshot(URI uri, byte[] bytes, byte[] key) {
        return Snapshots.builder("fraud", 2).parentVersion(1L).createdAt(1_700_000_000_000L)
                .featureSpecHash(SPEC).architecture(Architectures.describe(network))
                .trainerConfig(Map.of("trainer.epochs", "3", "trainer.seed", "9"))
                .metrics(Map.of("validation_auc", 0.91, "examples", 1000.0))
                .payload(uri, bytes).build(key);
    }

    @Test
    void buildsTheMetadata() {
        assertEquals("fraud", signed.getDomain());
        assertEquals(2L, signed.getVersion());
        assertEquals(1L, signed.getParentVersion());
        assertEquals("mlp(4-6-1)", signed.getArchitecture());
        assertEquals(ModelCodec.FORMAT, signed.getPayloadFormat());
        assertEquals(ModelCodec.sha256Hex(payload), signed.getSha256());
        assertEquals(64, signed.getSignature().length());
        assertNull(snapshot(URI.create(signed.getPayloadUri()), payload, null).getSignature());
    }

    @Test
    void acceptsTheUntamperedSnapshot() {
        assertEquals(Verification.passed(), Snapshots.verify(signed, payload, KEY, SPEC));
        assertTrue(Snapshots.verify(signed, payload, null, SPEC).ok(), "no key: signature not required");
    }

    @Test
    void catchesATamperedPayload() {
        byte[] tampered = payload.clone();
        tampered[tampered.length / 2] ^= 1;
        Verification v = Snapshots.verify(signed, tampered, KEY, SPEC);
        assertEquals(Outcome.CHECKSUM_MISMATCH, v.outcome());
        assertTrue(v.detail().contains(signed.getSha256()), v.detail());
    }

    @Test
    void catchesAWrongKeyAndTamperedMetadata() {
        byte[] otherKey = "another-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        assertEquals(Outcome.SIGNATURE_INVALID, Snapshots.verify(signed, payload, otherKey, SPEC).outcome());

        ModelSnapshot betterMetrics = ModelSnapshot.newBuilder(signed).setMetrics(Map.of("validation_auc", 0.99,
                "examples", 1000.0)).build();
        assertEquals(Outcome.SIGNATURE_INVALID, Snapshots.verify(betterMetrics, payload, KEY, SPEC).outcome());

        ModelSnapshot notHex = ModelSnapshot.newBuilder(signed).setSignature("zz").build();
        assertEquals(Outcome.SIGNATURE_INVALID, Snapshots.verify(notHex, payload, KEY, SPEC).outcome());
    }

    @Test
    void requiresASignatureWhenAKeyIsConfigured() {
        ModelSnapshot unsigned = ModelSnapshot.newBuilder(signed).setSignature(null).build();
        assertEquals(Outcome.SIGNATURE_MISSING, Snapshots.verify(unsigned, payload, KEY, SPEC).outcome());
    }

    @Test
    void catchesAFeatureSpecMismatch() {
        Verification v = Snapshots.verify(signed, payload, KEY, "spec-other");
        assertEquals(Outcome.FEATURE_SPEC_MISMATCH, v.outcome());
        assertTrue(v.detail().contains("spec-other") && v.detail().contains(SPEC), v.detail());
    }

    @Test
    void catchesAnUnknownFormat() {
        ModelSnapshot onnx = Snapshots.builder("fraud", 2).featureSpecHash(SPEC).architecture("mlp(4-6-1)")
                .payload(URI.create(signed.getPayloadUri()), payload).payloadFormat("onnx-v1").build(KEY);
        assertEquals(Outcome.UNSUPPORTED_FORMAT, Snapshots.verify(onnx, payload, KEY, SPEC).outcome());
    }

    @Test
    void canonicalStringCoversEveryFieldButTheSignature() {
        String canonical = Snapshots.canonicalString(signed);
        assertTrue(canonical.startsWith(Snapshots.CANONICAL_VERSION + "\n"));
        assertEquals(canonical, Snapshots.canonicalString(ModelSnapshot.newBuilder(signed).setSignature("00").build()));
        assertNotEquals(canonical, Snapshots.canonicalString(ModelSnapshot.newBuilder(signed).setParentVersion(null).build()));
        assertNotEquals(canonical, Snapshots.canonicalString(ModelSnapshot.newBuilder(signed).setPayloadUri("file:/x").build()));
        assertNotEquals(canonical, Snapshots.canonicalString(ModelSnapshot.newBuilder(signed)
                .setTrainerConfig(Map.of("trainer.epochs", "3", "trainer.seed", "9", "a", "")).build()));
        // Moving text between a key and its value must change the string.
        ModelSnapshot a = ModelSnapshot.newBuilder(signed).setTrainerConfig(Map.of("k", "v=w")).build();
        ModelSnapshot b = ModelSnapshot.newBuilder(signed).setTrainerConfig(Map.of("k=v", "w")).build();
        assertNotEquals(Snapshots.canonicalString(a), Snapshots.canonicalString(b));
    }

    @Test
    void loadsAVerifiedModelThatScoresLikeTheNetwork() throws IOException {
        float[] x = TestData.features(1, 4, 77L);
        double expected = network.output(Nd4j.create(x, new long[] {1, 4}, 'c'), false).getDouble(0);
        try (Model model = Snapshots.load(signed, store, KEY, SPEC)) {
            assertEquals(2L, model.version());
            assertEquals("mlp(4-6-1)", model.architecture());
            assertEquals(expected, model.score(x), 1e-7);
        }
    }

    @Test
    void loadsAnInt8PayloadThatScoresCloseToTheFloatNetwork() throws IOException {
        byte[] int8 = PayloadFormat.INT8.encode(network);
        assertTrue(int8.length < payload.length, int8.length + " bytes vs " + payload.length);
        ModelSnapshot s = Snapshots.builder("fraud", 3).featureSpecHash(SPEC).architecture(Architectures.describe(network))
                .payloadFormat(PayloadFormat.INT8.id()).payload(store.put("fraud", 3, int8), int8).build(KEY);
        float[] x = TestData.features(64, 4, 78L);
        double[] expected = new double[64];
        double[] actual = new double[64];
        try (Model f = Snapshots.load(signed, store, KEY, SPEC); Model q = Snapshots.load(s, store, KEY, SPEC, 64, 4)) {
            assertEquals(3L, q.version());
            f.scoreBatch(x, 64, expected);
            q.scoreBatch(x, 64, actual);
        }
        for (int i = 0; i < 64; i++) {
            assertEquals(expected[i], actual[i], 0.02, "row " + i);
        }
        // The payload is checked against the format it claims: int8 bytes labelled as a float zip do not load.
        ModelSnapshot mislabelled = Snapshots.builder("fraud", 4).featureSpecHash(SPEC).architecture(Architectures.describe(network))
                .payload(store.put("fraud", 4, int8), int8).build(KEY);
        assertEquals(Outcome.UNDECODABLE, assertThrows(SnapshotRejectedException.class,
                () -> Snapshots.load(mislabelled, store, KEY, SPEC)).verification().outcome());
    }

    @Test
    void loadRejectsWithTheReason() throws IOException {
        SnapshotRejectedException spec = assertThrows(SnapshotRejectedException.class,
                () -> Snapshots.load(signed, store, KEY, "spec-other"));
        assertEquals(Outcome.FEATURE_SPEC_MISMATCH, spec.verification().outcome());

        byte[] other = new ModelCodec().encode(TestData.trainedMlp(4, new int[] {6}, 10L));
        URI otherUri = store.put("fraud", 3, other);
        ModelSnapshot swapped = ModelSnapshot.newBuilder(signed).setPayloadUri(otherUri.toString()).build();
        swapped.setSignature(Snapshots.sign(swapped, KEY));
        SnapshotRejectedException checksum = assertThrows(SnapshotRejectedException.class,
                () -> Snapshots.load(swapped, store, KEY, SPEC));
        assertEquals(Outcome.CHECKSUM_MISMATCH, checksum.verification().outcome());

        ModelSnapshot wrongArch = ModelSnapshot.newBuilder(signed).setArchitecture("mlp(4-7-1)").build();
        wrongArch.setSignature(Snapshots.sign(wrongArch, KEY));
        SnapshotRejectedException arch = assertThrows(SnapshotRejectedException.class,
                () -> Snapshots.load(wrongArch, store, KEY, SPEC));
        assertEquals(Outcome.ARCHITECTURE_MISMATCH, arch.verification().outcome());
        assertTrue(arch.getMessage().contains("fraud v2"), arch.getMessage());
    }

    @Test
    void rejectsShortKeys() {
        assertThrows(IllegalArgumentException.class, () -> Snapshots.sign(signed, new byte[8]));
    }
}
