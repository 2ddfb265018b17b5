package io.kingfisher.scoring.snapshot;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.TestData;
import io.kingfisher.scoring.store.FileSystemModelStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Snapshots for swap tests, good and bad, with their payloads in a model store under a temporary folder. Each
 * good version gets its own network (seeded by the version), so different versions score differently.
 */
public final class SnapshotFixture {

    /** Domain of every snapshot here but {@link #otherDomain}. */
    public static final String DOMAIN = "fraud";
    /** The scorer's feature-spec hash. */
    public static final String SPEC = "spec-abc";
    /** The scorer's feature width. */
    public static final int WIDTH = 4;
    /** The signing key. */
    public static final byte[] KEY = "test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    /** Creation time of snapshots unless given. */
    public static final long CREATED_AT = 1_767_225_600_000L;

    private static final ModelCodec CODEC = new ModelCodec();
    private final FileSystemModelStore store;

    /** @param dir an empty folder for the model store */
    public SnapshotFixture(Path dir) {
        try {
            this.store = new FileSystemModelStore(dir.toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the store holding every payload made here */
    public FileSystemModelStore store() {
        return store;
    }

    /** @return the store's root URI */
    public String storeRoot() {
        return store.root().toString();
    }

    /** @return a signed, valid snapshot of a fresh network */
    public ModelSnapshot valid(long version) {
        return valid(version, CREATED_AT);
    }

    /** @return a signed, valid snapshot created at {@code createdAt} */
    public ModelSnapshot valid(long version, long createdAt) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, put(version, payload), payload).createdAt(createdAt).build(KEY);
    }

    /** @return a signed snapshot whose payload in the store differs from the one it was hashed with */
    public ModelSnapshot tamperedPayload(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        byte[] stored = payload.clone();
        stored[stored.length / 2] ^= 1;
        return builder(version, net, put(version, stored), payload).build(KEY);
    }

    /** @return a valid snapshot without a signature */
    public ModelSnapshot unsigned(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, put(version, payload), payload).build(null);
    }

    /** @return a snapshot signed with another key */
    public ModelSnapshot signedWithAnotherKey(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, put(version, payload), payload)
                .build("another-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    }

    /** @return a signed snapshot trained on other feature definitions */
    public ModelSnapshot wrongSpec(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, put(version, payload), payload).featureSpecHash("spec-other").build(KEY);
    }

    /** @return a signed snapshot of a network that takes one input more than the scorer computes */
    public ModelSnapshot wrongShape(long version) {
        MultiLayerNetwork net = network(WIDTH + 1, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, put(version, payload), payload).build(KEY);
    }

    /** @return a signed snapshot whose recorded architecture is not its network's */
    public ModelSnapshot wrongArchitecture(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, put(version, payload), payload).architecture("mlp(4-99-1)").build(KEY);
    }

    /** @return a signed snapshot whose payload matches its checksum but is no model */
    public ModelSnapshot undecodable(long version) {
        byte[] payload = "not a dl4j zip".getBytes(StandardCharsets.UTF_8);
        return Snapshots.builder(DOMAIN, version).createdAt(CREATED_AT).featureSpecHash(SPEC)
                .architecture(Architectures.mlpDescription(WIDTH, 6)).payload(put(version, payload), payload).build(KEY);
    }

    /** @return a signed snapshot whose payload is not in the store */
    public ModelSnapshot missingPayload(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, store.pathOf(DOMAIN, version).toUri(), payload).build(KEY);
    }

    /** @return a signed snapshot in a payload format this release cannot read */
    public ModelSnapshot unsupportedFormat(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        return builder(version, net, put(version, payload), payload).payloadFormat("onnx-v1").build(KEY);
    }

    /** @return a signed, valid snapshot of another domain */
    public ModelSnapshot otherDomain(long version) {
        MultiLayerNetwork net = network(WIDTH, version);
        byte[] payload = CODEC.encode(net);
        try {
            URI uri = store.put("clicks", version, payload);
            return Snapshots.builder("clicks", version).createdAt(CREATED_AT).featureSpecHash(SPEC)
                    .architecture(Architectures.describe(net)).payload(uri, payload).build(KEY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MultiLayerNetwork network(int inputs, long version) {
        return TestData.trainedMlp(inputs, new int[] {6}, 1000 + version);
    }

    private Snapshots.Builder builder(long version, MultiLayerNetwork net, URI uri, byte[] hashedPayload) {
        return Snapshots.builder(DOMAIN, version).parentVersion(version > 1 ? version - 1 : null).createdAt(CREATED_AT)
                .featureSpecHash(SPEC).architecture(Architectures.describe(net))
                .trainerConfig(Map.of("trainer.seed", String.valueOf(1000 + version)))
                .metrics(Map.of("validation_auc", 0.9))
                .payload(uri, hashedPayload);
    }

    private URI put(long version, byte[] payload) {
        try {
            return store.put(DOMAIN, version, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
