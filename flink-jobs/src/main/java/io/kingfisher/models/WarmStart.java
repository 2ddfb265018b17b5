package io.kingfisher.models;

import io.kingfisher.domain.Domain;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import io.kingfisher.features.avro.AvroInputBinding;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.topic.Producers;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.schemas.wire.AvroWireSerializer;
import io.kingfisher.scoring.IdEmbeddings;
import io.kingfisher.scoring.ModelCodec;
import io.kingfisher.scoring.snapshot.Snapshots;
import io.kingfisher.scoring.store.FileSystemModelStore;
import io.kingfisher.jobs.LabelFeatureDecodeFunction;
import io.kingfisher.sim.SimulatedEvent;
import io.kingfisher.sim.SimulatedLabel;
import io.kingfisher.sim.SimulatedRecord;
import io.kingfisher.sim.Simulator;
import io.kingfisher.trainer.GoldenSet;
import io.kingfisher.trainer.OfflineTrainer;
import io.kingfisher.trainer.TrainResult;
import io.kingfisher.trainer.TrainerConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The first model of a domain: history (here simulated) goes through the offline feature path, the same
 * {@code FeatureEngine} the streaming operator runs, so the model is trained on exactly the vectors it will
 * be served; the trained network goes to the model store and its signed metadata to {@code model.snapshots}.
 * A domain whose model shape embeds id columns (clicks) gets that network ({@link IdEmbeddings} in front of the
 * MLP); the others a plain MLP.
 */
public final class WarmStart {
    private WarmStart() {
    }

    /** Trainer-config key naming the golden set (a store attachment of the domain) held out by the warm start. */
    public static final String GOLDEN_SET = "golden_set";

    /** @return the attachment name of the golden set held out when training {@code version} */
    public static String goldenSetName(long version) {
        return "golden-v" + version + ".bin";
    }

    /** The published snapshot and how training went. */
    /**
     * @param golden the golden set stored beside the model (the validation split, with the rows' history ages), or
     *               null when nothing was held out
     */
    public record Result(ModelSnapshot snapshot, TrainResult training, GoldenSet golden) {
        public double validationAuc() {
            return training.validationAuc();
        }
    }

    /** The trainer settings a domain's model shape implies. */
    public static TrainerConfig trainerConfig(Domain domain, long seed) {
        Domain.ModelShape m = domain.model();
        return new TrainerConfig(m.hidden(), m.learningRate(), m.l2(), 256, m.epochs(), OptionalDouble.empty(), seed, 0.2);
    }

    /**
     * Trains on {@code events} simulated events and stores the model as the next free version (1 in a new store).
     *
     * @param hmacKey key to sign the snapshot with, or null for unsigned
     */
    public static Result trainOnSimulation(Domain domain, Simulator simulator, int events, String storeRoot, byte[] hmacKey)
            throws Exception {
        if (events < 100) {
            throw new IllegalArgumentException("--history: need at least 100 events to train on, was " + events);
        }
        List<IndexedRecord> history = new ArrayList<>(events);
        float[] labels = new float[events];
        List<LabelAt> known = new ArrayList<>();
        boolean labelFeatures = domain.features().hasLabelFeatures();
        while (history.size() < events) {
            SimulatedRecord r = labelFeatures ? simulator.nextRecord() : simulator.next();
            if (r instanceof SimulatedLabel l) {
                known.add(new LabelAt(history.size(), (GenericRecord) l.value()));
            } else if (r instanceof SimulatedEvent ev) {
                labels[history.size()] = ev.positive() ? 1f : 0f;
                history.add((IndexedRecord) ev.value());
            }
        }
        return train(domain, history, labels, known, storeRoot, hmacKey, Map.of("source", "warm-start:simulation"));
    }

    /**
     * A label record as it became known during the history: before the event at {@code beforeEvent}. Label features
     * ({@link io.kingfisher.features.RelatedEntity#withLabels}) fold it in there, as the streaming stage would.
     */
    public record LabelAt(int beforeEvent, GenericRecord label) {
    }

    /** As {@link #train(Domain, List, float[], List, String, byte[], Map)} without label records known on the way. */
    public static Result train(Domain domain, List<? extends IndexedRecord> history, float[] labels, String storeRoot,
                               byte[] hmacKey, Map<String, String> provenance) throws Exception {
        return train(domain, history, labels, List.of(), storeRoot, hmacKey, provenance);
    }

    /**
     * Trains on historical events (in the order the stream would see them) and their labels, through the offline
     * feature path, and stores the model as the next free version (1 in a new store).
     *
     * @param known      the label records of the domain's labels topic as they became known during the history, in
     *                   that order, for label features (empty without)
     * @param provenance where the history came from, recorded in the snapshot's trainer config
     * @param hmacKey    key to sign the snapshot with, or null for unsigned
     */
    public static Result train(Domain domain, List<? extends IndexedRecord> history, float[] labels, List<LabelAt> known,
                               String storeRoot, byte[] hmacKey, Map<String, String> provenance) throws Exception {
        if (history.size() != labels.length) {
            throw new IllegalArgumentException("history has " + history.size() + " events but " + labels.length + " labels");
        }
        AvroInputBinding binding = domain.inputBinding();
        OfflineFeatures features = new OfflineFeatures(domain.features());
        float[][] x = new float[history.size()][];
        long[] times = new long[x.length];
        long firstTime = Long.MAX_VALUE;
        long lastTime = Long.MIN_VALUE;
        int next = 0;
        for (int i = 0; i < x.length; i++) {
            for (; next < known.size() && known.get(next).beforeEvent() <= i; next++) {
                features.label(LabelFeatureDecodeFunction.toInput(domain.labels(), domain.features(), known.get(next).label(), 0L));
            }
            InputEvent in = binding.extract(history.get(i), 0L);
            x[i] = features.next(in);
            times[i] = in.eventTime;
            firstTime = Math.min(firstTime, in.eventTime);
            lastTime = Math.max(lastTime, in.eventTime);
        }
        TrainerConfig cfg = trainerConfig(domain, 42L);
        IdEmbeddings embeddings = domain.model().idEmbeddings();
        TrainResult trained = new OfflineTrainer().train(x, labels, cfg, embeddings);

        FileSystemModelStore store = new FileSystemModelStore(storeRoot);
        long version = nextVersion(store, domain.name());
        byte[] payload = new ModelCodec().encode(trained.network());
        URI uri = store.put(domain.name(), version, payload);
        Map<String, String> config = new LinkedHashMap<>(cfg.toMap());
        if (embeddings != null) {
            config.put("model.embeddings", embeddingsText(domain.model()));
        }
        config.putAll(provenance);
        GoldenSet golden = null;
        if (trained.validationRows().length > 0) {
            // The held-out rows become the golden set the online gate checks every candidate against, and the reference
            // of the learner's PSI, which needs to know how long the history had run at each row (its warm-up).
            long[] ages = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                ages[i] = times[i] - firstTime;
            }
            golden = GoldenSet.of(x, labels, ages, trained.validationRows());
            String name = goldenSetName(version);
            store.putAttachment(domain.name(), name, golden.encode());
            config.put(GOLDEN_SET, name);
        }
        config.put("source.events", String.valueOf(x.length));
        config.put("source.event_time_from", String.valueOf(firstTime));
        config.put("source.event_time_to", String.valueOf(lastTime));
        ModelSnapshot snapshot = Snapshots.builder(domain.name(), version)
                .createdAt(System.currentTimeMillis())
                .featureSpecHash(domain.features().hash())
                .architecture(trained.architecture())
                .trainerConfig(config)
                .metrics(trained.metrics())
                .payload(uri, payload)
                .build(hmacKey);
        return new Result(snapshot, trained, golden);
    }

    /**
     * Writes the snapshot's metadata to the registry's history ({@code model.registry}) and then to the compacted
     * {@code model.snapshots} topic that scorers and trainers follow, keyed by domain.
     */
    public static void publish(ModelSnapshot snapshot, String bootstrap, String registryUrl) throws Exception {
        AvroWireSerializer<ModelSnapshot> ser = new AvroWireSerializer<>(new RestSchemaRegistryClient(registryUrl), ModelSnapshot.class);
        byte[] key = snapshot.getDomain().getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = Producers.reliable(bootstrap, 0)) {
            producer.send(new ProducerRecord<>(Topics.MODEL_REGISTRY, key, ser.serialize(Topics.MODEL_REGISTRY, snapshot))).get();
            producer.send(new ProducerRecord<>(Topics.MODEL_SNAPSHOTS, key, ser.serialize(Topics.MODEL_SNAPSHOTS, snapshot))).get();
        }
    }

    /** E.g. {@code user_hash:8192x16,item_hash:2048x16,dot}: which columns the model embeds, and how. */
    private static String embeddingsText(Domain.ModelShape model) {
        StringBuilder b = new StringBuilder();
        for (Domain.ModelShape.Embedding e : model.embeddings()) {
            b.append(b.isEmpty() ? "" : ",").append(e.column()).append(':').append(e.vocabulary()).append('x').append(e.dimension());
        }
        return model.idEmbeddings().interactions() ? b + ",dot" : b.toString();
    }

    private static long nextVersion(FileSystemModelStore store, String domain) throws java.io.IOException {
        long v = 1;
        while (store.pathOf(domain, v).getFileSystem().exists(store.pathOf(domain, v))) {
            v++;
        }
        return v;
    }
}
