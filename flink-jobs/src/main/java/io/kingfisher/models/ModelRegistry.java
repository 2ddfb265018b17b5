package io.kingfisher.models;

import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.schemas.wire.AvroWireDeserializer;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.snapshot.Verification;
import io.kingfisher.scoring.store.FileSystemModelStore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The model registry: every version ever published for a domain, read from the {@code model.registry} topic (the
 * never-compacted history beside the compacted {@code model.snapshots}), with parent, input range, trainer config,
 * metrics and time; and rollback, which republishes an earlier version's payload as a new version (versions only go
 * forward, so scorers and the trainer accept it like any other).
 */
public final class ModelRegistry {
    private final String bootstrap;
    private final String registryUrl;

    public ModelRegistry(String bootstrap, String registryUrl) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
    }

    /** @return the domain's versions, oldest first (the last record of each version wins) */
    public List<ModelSnapshot> history(String domain) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        AvroWireDeserializer<ModelSnapshot> de = new AvroWireDeserializer<>(new RestSchemaRegistryClient(registryUrl), ModelSnapshot.class);
        TreeMap<Long, ModelSnapshot> versions = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(Topics.MODEL_REGISTRY, Duration.ofSeconds(30))
                    .forEach(pi -> parts.add(new TopicPartition(pi.topic(), pi.partition())));
            if (parts.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.MODEL_REGISTRY + " does not exist at " + bootstrap);
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!reached(c, end)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.MODEL_REGISTRY + " to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    ModelSnapshot s = de.deserialize(r.topic(), r.value());
                    if (domain.equals(s.getDomain())) {
                        versions.put(s.getVersion(), s);
                    }
                }
            }
        }
        return new ArrayList<>(versions.values());
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Republishes version {@code target}'s payload as the next version, after checking the payload against the
     * target's checksum (and signature, with a key).
     *
     * @param target the version to restore; -1 for the parent of the newest version
     * @return the new snapshot, already published
     * @throws IllegalArgumentException if the version is unknown or its payload does not verify
     */
    public ModelSnapshot rollback(String domain, long target, String storeRoot, byte[] hmacKey) throws Exception {
        List<ModelSnapshot> all = history(domain);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("domain '" + domain + "' has no published versions in " + Topics.MODEL_REGISTRY);
        }
        ModelSnapshot latest = all.get(all.size() - 1);
        long wanted = target >= 0 ? target : latest.getParentVersion() == null ? -1 : latest.getParentVersion();
        if (wanted < 0) {
            throw new IllegalArgumentException("v" + latest.getVersion() + " has no parent: say which version with --to");
        }
        ModelSnapshot from = all.stream().filter(s -> s.getVersion() == wanted).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("domain '" + domain + "' has no version " + wanted + " (known: "
                        + all.stream().map(s -> "v" + s.getVersion()).toList() + ")"));
        FileSystemModelStore store = new FileSystemModelStore(storeRoot);
        byte[] payload = store.get(URI.create(from.getPayloadUri()));
        Verification v = Snapshots.verify(from, payload, hmacKey, from.getFeatureSpecHash().toString());
        if (!v.ok()) {
            throw new IllegalArgumentException("v" + wanted + " does not verify, refusing to restore it: " + v);
        }
        Map<String, String> config = new LinkedHashMap<>();
        from.getTrainerConfig().forEach((k, val) -> config.put(k.toString(), val.toString()));
        config.put("source", "rollback");
        config.put("rollback_of", String.valueOf(wanted));
        config.put("rolled_back_from", String.valueOf(latest.getVersion()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        from.getMetrics().forEach((k, val) -> metrics.put(k.toString(), val));
        ModelSnapshot restored = Snapshots.builder(domain, latest.getVersion() + 1)
                .parentVersion(wanted)
                .createdAt(System.currentTimeMillis())
                .featureSpecHash(from.getFeatureSpecHash().toString())
                .architecture(from.getArchitecture().toString())
                .trainerConfig(config)
                .metrics(metrics)
                .payload(URI.create(from.getPayloadUri()), payload)
                .build(hmacKey);
        WarmStart.publish(restored, bootstrap, registryUrl);
        return restored;
    }
}
