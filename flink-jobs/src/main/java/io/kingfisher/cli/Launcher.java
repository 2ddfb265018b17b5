package io.kingfisher.cli;

import io.kingfisher.config.Config;
import io.kingfisher.config.ConfigException;
import io.kingfisher.jobs.FeatureVectors;
import io.kingfisher.domain.Domain;
import io.kingfisher.jobs.JobSettings;
import io.kingfisher.jobs.ScoreJob;
import io.kingfisher.jobs.LearnJob;
import io.kingfisher.schemas.topic.Topics;
import io.kingfisher.models.WarmStart;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import io.kingfisher.schemas.wire.ConfluentWireFormat;
import io.kingfisher.sim.Simulators;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Starts the local stack, trains and publishes the first model, and submits the scoring job. */
final class Launcher {
    private Launcher() {
    }

    /** Trains the first model of a domain into a store: warm start on simulated or historical data. */
    @FunctionalInterface
    interface FirstModel {
        WarmStart.Result train(String storeRoot, byte[] hmacKey) throws Exception;
    }

    /** The built-in domains' first model: trained on {@code --history} simulated events of the default population. */
    static LocalStack launch(StackOptions o, Domain domain, PrintStream out) throws Exception {
        return launch(o, domain, out, io.kingfisher.sim.TimeScale.NATURAL);
    }

    /**
     * The built-in domains' first model, trained on {@code --history} simulated events (no drift) of the population
     * that {@code scale} gives the live simulator. A compressed time scale shrinks the population (fewer cards,
     * users, beds) while entities shared by all (a fraud simulation's merchants) keep their number, so their
     * activity per hour differs from the default population's: history simulated at another scale would teach the
     * first model feature values the live stream never shows.
     */
    static LocalStack launch(StackOptions o, Domain domain, PrintStream out, io.kingfisher.sim.TimeScale scale)
            throws Exception {
        return launch(o, domain, out, "simulated events",
                (store, hmac) -> WarmStart.trainOnSimulation(domain, Simulators.forDomain(domain, o.seed + 1_000_003L,
                        scale.isNatural() ? Simulators.Options.defaults()
                                : Simulators.Options.defaults().withDrift("none").withTimeScale(scale)),
                        o.history, store, hmac));
    }

    static LocalStack launch(StackOptions o, Domain domain, PrintStream out, String historyName, FirstModel firstModel)
            throws Exception {
        // Settings are checked before anything starts, so a typo fails in a second, naming the key.
        Map<String, String> probe = new HashMap<>(o.jobOverrides());
        probe.putIfAbsent(JobSettings.BOOTSTRAP.key(), "placeholder:9092");
        probe.putIfAbsent(JobSettings.REGISTRY_URL.key(), "http://placeholder");
        Config probed = Config.of(probe, JobSettings.ALL, JobSettings.FLINK);
        ScoreJob.requireBackend(probed); // and scoring.backend=cuda needs a usable GPU here
        if (o.job == StackOptions.Job.baseline && (o.learn || o.lookupPort >= 0)) {
            throw new IllegalArgumentException("--job baseline: the baseline job has no model to fine-tune and no feature "
                    + "vectors to look up: add --no-learn" + (o.lookupPort >= 0 ? " and drop --lookup-port" : ""));
        }
        if (o.lookupPort >= 0 && probed.get(JobSettings.FEATURES_PUBLISH) == FeatureVectors.Publish.OFF) {
            throw new ConfigException(JobSettings.FEATURES_PUBLISH.key(), "is off, so the online lookup (--lookup-port) "
                    + "would have nothing to serve: drop --lookup-port or set " + JobSettings.FEATURES_PUBLISH.key() + "=on");
        }

        long t0 = System.currentTimeMillis();
        LocalStack stack = LocalStack.start(o.resolveDataDir(), o.kafkaPort, o.registryPort);
        try {
            Config config = stack.jobConfig(o.jobOverrides());
            stack.createTopics(domain, config.get(JobSettings.PARALLELISM));
            out.printf("Kafka bootstrap  %s%n", stack.bootstrapServers());
            out.printf("Schema registry  %s%n", stack.registryUrl());
            // Register the event schema up front, so producers that only look schemas up (auto-register off) can write.
            String subject = ConfluentWireFormat.valueSubject(domain.eventsTopic());
            int schemaId = new RestSchemaRegistryClient(stack.registryUrl()).register(subject, domain.eventSchema());
            out.printf("  (broker and registry up in %.1f s; %s has schema id %d)%n", (System.currentTimeMillis() - t0) / 1000.0,
                    subject, schemaId);

            String key = config.get(JobSettings.MODEL_HMAC_KEY);
            byte[] hmac = key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
            String store = stack.dataDir().resolve("models").toUri().toString();
            long t1 = System.currentTimeMillis();
            WarmStart.Result warm = firstModel.train(store, hmac);
            ModelSnapshot model = warm.snapshot();
            WarmStart.publish(model, stack.bootstrapServers(), stack.registryUrl());
            out.printf("Model v%d        %s, trained on %,d %s in %.1f s (validation AUC %.3f)%n",
                    model.getVersion(), model.getArchitecture(), warm.training().examples(), historyName,
                    (System.currentTimeMillis() - t1) / 1000.0, warm.validationAuc());

            stack.firstModel(model, store);
            if (o.job == StackOptions.Job.baseline) {
                stack.startBaselineJob(domain, config, model, store);
                out.printf("BaselineJob      %s → %s, dead letters → %s (parallelism %d): decode, one RocksDB value per "
                                + "entity, a score per event; no features, no model%n", domain.eventsTopic(),
                        domain.scoresTopic(), domain.dlqTopic(), config.get(JobSettings.PARALLELISM));
            } else {
                stack.startScoreJob(domain, config, model, store);
                out.printf("ScoreJob         %s → %s, dead letters → %s (parallelism %d)%n", domain.eventsTopic(),
                        domain.scoresTopic(), domain.dlqTopic(), config.get(JobSettings.PARALLELISM));
            }
            if (o.lookupPort >= 0) {
                var lookup = stack.startFeatureLookup(domain, o.lookupPort);
                out.printf("Feature lookup   %s/features/%s/<entity> (Kafka Streams over %s)%n", lookup.url(), domain.name(),
                        Topics.features(domain.name()));
            }
            if (o.learn) {
                stack.startLearnJob(domain, config, store);
                out.printf("LearnJob         %s ⨝ %s (%s) → online trainer → %s; examples → %s, decisions → %s%n",
                        domain.scoresTopic(), domain.labelsTopic(), LearnJob.joinRule(domain, config),
                        Topics.MODEL_SNAPSHOTS, Topics.examples(domain.name()), Topics.learning(domain.name()));
            }
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }
}
