package io.kingfisher.scoring.snapshot;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.scoring.Architectures;
import io.kingfisher.scoring.Dl4jModel;
import io.kingfisher.scoring.Model;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.ModelFactory;
import io.kingfisher.scoring.Networks;
import io.kingfisher.scoring.snapshot.Verification.Outcome;
import io.kingfisher.scoring.store.ModelStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Builds, signs, verifies and loads {@link ModelSnapshot}s.
 *
 * <p><b>Signature.</b> The signature is the hex HMAC-SHA256, under a shared key, of the UTF-8
 * bytes of {@link #canonicalString(ModelSnapshot)}: every field except {@code signature}, in
 * schema order, strings length-prefixed (UTF-8 byte count), map entries sorted by key, doubles
 * as {@link Double#toHexString(double)} (exact, and the same on every JVM). The form is
 * versioned ({@value #CANONICAL_VERSION}); a new schema field needs a new version.
 *
 * <p><b>Verification</b> checks, in order: payload format, signature (when a key is given),
 * feature-spec hash, payload SHA-256. The first failure is reported. Loading checks the
 * metadata before it reads the payload, then checks the payload, decodes it and makes sure the
 * network matches the recorded architecture.
 */
public final class Snapshots {

    /** First line of the canonical string. */
    public static final String CANONICAL_VERSION = "kingfisher-model-snapshot-v1";
    /** Shortest HMAC key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 16;

    private static final HexFormat HEX = HexFormat.of();

    private Snapshots() {
    }

    /**
     * @param domain  domain name
     * @param version new version, {@code >= 0}
     * @return a builder for that snapshot
     */
    public static Builder builder(String domain, long version) {
        return new Builder(domain, version);
    }

    /**
     * @param s a snapshot
     * @return the canonical string that the signature covers
     */
    public static String canonicalString(ModelSnapshot s) {
        StringBuilder b = new StringBuilder(512).append(CANONICAL_VERSION).append('\n');
        str(b, "domain", s.getDomain());
        b.append("version:").append(s.getVersion()).append('\n');
        b.append("parent_version:").append(s.getParentVersion() == null ? "null" : s.getParentVersion().toString())
                .append('\n');
        b.append("created_at:").append(s.getCreatedAt()).append('\n');
        str(b, "feature_spec_hash", s.getFeatureSpecHash());
        str(b, "architecture", s.getArchitecture());
        Map<String, String> config = new TreeMap<>(s.getTrainerConfig());
        b.append("trainer_config:").append(config.size()).append('\n');
        config.forEach((k, v) -> b.append(len(k)).append(':').append(k).append('=')
                .append(len(v)).append(':').append(v).append('\n'));
        Map<String, Double> metrics = new TreeMap<>(s.getMetrics());
        b.append("metrics:").append(metrics.size()).append('\n');
        metrics.forEach((k, v) -> b.append(len(k)).append(':').append(k).append('=')
                .append(Double.toHexString(v)).append('\n'));
        str(b, "payload_uri", s.getPayloadUri());
        str(b, "payload_format", s.getPayloadFormat());
        str(b, "sha256", s.getSha256());
        return b.toString();
    }

    private static void str(StringBuilder b, String name, String value) {
        b.append(name).append(':').append(len(value)).append(':').append(value).append('\n');
    }

    private static int len(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * @param s       a snapshot (its own signature is ignored)
     * @param hmacKey the shared key, at least {@value #MIN_KEY_BYTES} bytes
     * @return the hex HMAC-SHA256 of the canonical string
     */
    public static String sign(ModelSnapshot s, byte[] hmacKey) {
        return HEX.formatHex(hmac(s, hmacKey));
    }

    private static byte[] hmac(ModelSnapshot s, byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("HMAC key must have at least " + MIN_KEY_BYTES + " bytes, had "
                    + (key == null ? "null" : key.length));
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(canonicalString(s).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /**
     * Checks a snapshot and its payload.
     *
     * @param s                the snapshot
     * @param payload          the payload bytes read from {@code s.payload_uri}
     * @param hmacKeyOrNull    the shared signing key; when null, signatures are not checked
     * @param expectedSpecHash the feature-spec hash the scorer computes features with
     * @return the first failed check, or a passing verification
     */
    public static Verification verify(ModelSnapshot s, byte[] payload, byte[] hmacKeyOrNull,
                                      String expectedSpecHash) {
        Verification metadata = verifyMetadata(s, hmacKeyOrNull, expectedSpecHash);
        if (!metadata.ok()) {
            return metadata;
        }
        if (payload == null) {
            return Verification.failed(Outcome.CHECKSUM_MISMATCH, "no payload");
        }
        String actual = ModelCodec.sha256Hex(payload);
        if (!actual.equalsIgnoreCase(s.getSha256())) {
            return Verification.failed(Outcome.CHECKSUM_MISMATCH,
                    "payload sha256 " + actual + " != recorded " + s.getSha256());
        }
        return Verification.passed();
    }

    /**
     * Checks everything that does not need the payload: format, signature and feature spec.
     *
     * @param s                the snapshot
     * @param hmacKeyOrNull    the shared signing key; when null, signatures are not checked
     * @param expectedSpecHash the feature-spec hash the scorer computes features with
     * @return the first failed check, or a passing verification
     */
    public static Verification verifyMetadata(ModelSnapshot s, byte[] hmacKeyOrNull, String expectedSpecHash) {
        if (s == null) {
            throw new IllegalArgumentException("snapshot must not be null");
        }
        if (expectedSpecHash == null) {
            throw new IllegalArgumentException("expectedSpecHash must not be null");
        }
        if (PayloadFormat.ofId(s.getPayloadFormat()) == null) {
            return Verification.failed(Outcome.UNSUPPORTED_FORMAT,
                    "payload format " + s.getPayloadFormat() + " is not one of " + PayloadFormat.ids());
        }
        if (hmacKeyOrNull != null) {
            String signature = s.getSignature();
            if (signature == null || signature.isEmpty()) {
                return Verification.failed(Outcome.SIGNATURE_MISSING, "a signing key is configured but the snapshot is unsigned");
            }
            byte[] given;
            try {
                given = HEX.parseHex(signature.toLowerCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Verification.failed(Outcome.SIGNATURE_INVALID, "signature is not hex");
            }
            if (!MessageDigest.isEqual(given, hmac(s, hmacKeyOrNull))) {
                return Verification.failed(Outcome.SIGNATURE_INVALID, "signature does not match the metadata");
            }
        }
        if (!expectedSpecHash.equals(s.getFeatureSpecHash())) {
            return Verification.failed(Outcome.FEATURE_SPEC_MISMATCH,
                    "snapshot feature spec " + s.getFeatureSpecHash() + " != scorer's " + expectedSpecHash);
        }
        return Verification.passed();
    }

    /**
     * Verifies a snapshot, reads and decodes its payload and wraps it for scoring, with the
     * default batch capacity.
     *
     * @see #load(ModelSnapshot, ModelStore, byte[], String, int)
     */
    public static Model load(ModelSnapshot s, ModelStore store, byte[] hmacKeyOrNull, String expectedSpecHash)
            throws IOException {
        return load(s, store, hmacKeyOrNull, expectedSpecHash, Dl4jModel.DEFAULT_BATCH_CAPACITY);
    }

    /**
     * Verifies a snapshot, reads and decodes its payload and wraps it for scoring.
     *
     * @param s                the snapshot
     * @param store            where the payload lives
     * @param hmacKeyOrNull    the shared signing key; when null, signatures are not checked
     * @param expectedSpecHash the feature-spec hash the scorer computes features with
     * @param batchCapacity    the largest micro-batch the model will score
     * @return the model, versioned as the snapshot
     * @throws SnapshotRejectedException if a check fails, {@link Outcome#UNDECODABLE} if the payload
     *     matches its checksum but cannot be decoded
     * @throws IOException               if the payload cannot be read
     */
    public static Model load(ModelSnapshot s, ModelStore store, byte[] hmacKeyOrNull, String expectedSpecHash,
                             int batchCapacity) throws IOException {
        return new Dl4jModel(loadNetwork(s, store, hmacKeyOrNull, expectedSpecHash, false), s.getVersion(), batchCapacity);
    }

    /**
     * Like {@link #load(ModelSnapshot, ModelStore, byte[], String, int)}, and also checks that the
     * network takes exactly as many inputs as the scorer computes features.
     *
     * @param expectedInputSize the scorer's feature width
     * @throws SnapshotRejectedException if a check fails, {@link Outcome#INPUT_SIZE_MISMATCH} for a
     *     network of another width
     * @throws IOException               if the payload cannot be read
     */
    public static Model load(ModelSnapshot s, ModelStore store, byte[] hmacKeyOrNull, String expectedSpecHash,
                             int batchCapacity, int expectedInputSize) throws IOException {
        return load(s, store, hmacKeyOrNull, expectedSpecHash, batchCapacity, expectedInputSize, ModelFactory.ND4J);
    }

    /**
     * Like {@link #load(ModelSnapshot, ModelStore, byte[], String, int, int)}, with the model made by the scoring
     * backend's factory (which takes the verified network).
     *
     * @param factory makes the served model from the network, e.g. {@link ModelFactory#ND4J}
     * @throws SnapshotRejectedException if a check fails, {@link Outcome#INPUT_SIZE_MISMATCH} for a
     *     network of another width
     * @throws IOException               if the payload cannot be read
     */
    public static Model load(ModelSnapshot s, ModelStore store, byte[] hmacKeyOrNull, String expectedSpecHash,
                             int batchCapacity, int expectedInputSize, ModelFactory factory) throws IOException {
        if (factory == null) {
            throw new IllegalArgumentException("factory must not be null");
        }
        MultiLayerNetwork network = loadNetwork(s, store, hmacKeyOrNull, expectedSpecHash, false);
        int inputs = Architectures.inputSize(network);
        if (inputs != expectedInputSize) {
            Networks.release(network);
            throw new SnapshotRejectedException(s.getDomain(), s.getVersion(),
                    Verification.failed(Outcome.INPUT_SIZE_MISMATCH,
                            "network takes " + inputs + " inputs, the scorer computes " + expectedInputSize + " features"));
        }
        return factory.create(network, s.getVersion(), batchCapacity);
    }

    /**
     * Like {@link #load} but returns the network itself, with its updater state, e.g. to
     * continue training from it.
     *
     * @throws SnapshotRejectedException if a check fails, {@link Outcome#UNDECODABLE} if the payload
     *     matches its checksum but cannot be decoded
     * @throws IOException               if the payload cannot be read
     */
    public static MultiLayerNetwork loadNetwork(ModelSnapshot s, ModelStore store, byte[] hmacKeyOrNull,
                                                String expectedSpecHash) throws IOException {
        return loadNetwork(s, store, hmacKeyOrNull, expectedSpecHash, true);
    }

    /**
     * @param withUpdater whether to decode the optimizer state too: training needs it, scoring does not, and skipping
     *                    it roughly halves what a scorer decodes on each swap
     */
    private static MultiLayerNetwork loadNetwork(ModelSnapshot s, ModelStore store, byte[] hmacKeyOrNull,
                                                 String expectedSpecHash, boolean withUpdater) throws IOException {
        Verification metadata = verifyMetadata(s, hmacKeyOrNull, expectedSpecHash);
        if (!metadata.ok()) {
            throw new SnapshotRejectedException(s.getDomain(), s.getVersion(), metadata);
        }
        URI uri;
        try {
            uri = URI.create(s.getPayloadUri());
        } catch (IllegalArgumentException e) {
            throw new IOException("snapshot " + s.getDomain() + " v" + s.getVersion() + " has a malformed payload_uri: "
                    + s.getPayloadUri(), e);
        }
        byte[] payload = store.get(uri);
        Verification full = verify(s, payload, hmacKeyOrNull, expectedSpecHash);
        if (!full.ok()) {
            throw new SnapshotRejectedException(s.getDomain(), s.getVersion(), full);
        }
        MultiLayerNetwork network;
        try {
            network = PayloadFormat.ofId(s.getPayloadFormat()).decode(payload, withUpdater);
        } catch (IOException e) {
            throw new SnapshotRejectedException(s.getDomain(), s.getVersion(),
                    Verification.failed(Outcome.UNDECODABLE, e.getMessage()));
        }
        String architecture;
        try {
            architecture = Architectures.describe(network);
        } catch (IllegalArgumentException e) {
            Networks.release(network);
            throw new SnapshotRejectedException(s.getDomain(), s.getVersion(),
                    Verification.failed(Outcome.ARCHITECTURE_MISMATCH, e.getMessage()));
        }
        if (!architecture.equals(s.getArchitecture())) {
            Networks.release(network);
            throw new SnapshotRejectedException(s.getDomain(), s.getVersion(),
                    Verification.failed(Outcome.ARCHITECTURE_MISMATCH,
                            "payload is " + architecture + ", snapshot says " + s.getArchitecture()));
        }
        return network;
    }

    /** Collects snapshot fields; {@link #build(byte[])} computes nothing but the signature. */
    public static final class Builder {
        private final String domain;
        private final long version;
        private Long parentVersion;
        private Long createdAt;
        private String featureSpecHash;
        private String architecture;
        private final Map<String, String> trainerConfig = new LinkedHashMap<>();
        private final Map<String, Double> metrics = new LinkedHashMap<>();
        private String payloadUri;
        private String payloadFormat = ModelCodec.FORMAT;
        private String sha256;

        private Builder(String domain, long version) {
            if (domain == null || domain.isBlank()) {
                throw new IllegalArgumentException("domain must not be blank");
            }
            if (version < 0) {
                throw new IllegalArgumentException("version must be >= 0, was " + version);
            }
            this.domain = domain;
            this.version = version;
        }

        /** @param parentVersion the version this one was trained from, or null for a fresh model */
        public Builder parentVersion(Long parentVersion) {
            this.parentVersion = parentVersion;
            return this;
        }

        /** @param epochMs creation time; defaults to the time of {@link #build} */
        public Builder createdAt(long epochMs) {
            this.createdAt = epochMs;
            return this;
        }

        /** @param hash hash of the feature definitions the model was trained on */
        public Builder featureSpecHash(String hash) {
            this.featureSpecHash = hash;
            return this;
        }

        /** @param architecture e.g. {@code mlp(12-32-16-1)}, see {@link Architectures#describe} */
        public Builder architecture(String architecture) {
            this.architecture = architecture;
            return this;
        }

        /** @param config the trainer settings, recorded as provenance */
        public Builder trainerConfig(Map<String, String> config) {
            this.trainerConfig.putAll(config);
            return this;
        }

        /** @param values training and validation metrics */
        public Builder metrics(Map<String, Double> values) {
            this.metrics.putAll(values);
            return this;
        }

        /**
         * @param uri     where the payload was stored, see {@link ModelStore#put}
         * @param payload the payload bytes, hashed into the snapshot
         */
        public Builder payload(URI uri, byte[] payload) {
            if (uri == null || payload == null) {
                throw new IllegalArgumentException("payload uri and bytes must not be null");
            }
            this.payloadUri = uri.toString();
            this.sha256 = ModelCodec.sha256Hex(payload);
            return this;
        }

        /** @param format payload format id; defaults to {@link ModelCodec#FORMAT} */
        public Builder payloadFormat(String format) {
            this.payloadFormat = format;
            return this;
        }

        /**
         * @param hmacKeyOrNull the shared signing key, or null for an unsigned snapshot
         * @return the snapshot
         */
        public ModelSnapshot build(byte[] hmacKeyOrNull) {
            require(featureSpecHash, "featureSpecHash");
            require(architecture, "architecture");
            require(payloadUri, "payload");
            require(payloadFormat, "payloadFormat");
            ModelSnapshot s = ModelSnapshot.newBuilder()
                    .setDomain(domain)
                    .setVersion(version)
                    .setParentVersion(parentVersion)
                    .setCreatedAt(createdAt != null ? createdAt : System.currentTimeMillis())
                    .setFeatureSpecHash(featureSpecHash)
                    .setArchitecture(architecture)
                    .setTrainerConfig(new LinkedHashMap<>(new TreeMap<>(trainerConfig)))
                    .setMetrics(new LinkedHashMap<>(new TreeMap<>(metrics)))
                    .setPayloadUri(payloadUri)
                    .setPayloadFormat(payloadFormat)
                    .setSha256(sha256)
                    .setSignature(null)
                    .build();
            if (hmacKeyOrNull != null) {
                s.setSignature(sign(s, hmacKeyOrNull));
            }
            return s;
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException("snapshot " + name + " is not set");
            }
        }
    }
}
