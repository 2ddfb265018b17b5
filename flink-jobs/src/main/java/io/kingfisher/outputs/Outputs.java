package io.kingfisher.outputs;

import io.kingfisher.config.Config;
import io.kingfisher.domain.Domain;
import io.kingfisher.jobs.AvroRecordSerialization;
import io.kingfisher.jobs.JobSettings;
import io.kingfisher.jobs.KafkaIo;
import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.FeedUpdate;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Puts a domain's outputs behind its scores, as its {@link Domain.Outputs} asks: alerts when it names an alerts topic,
 * the per-user feed ({@link FeedFunction}) when its feed size is above 0. Both see each entity's scores in the order
 * they were scored: the feed and alerts with hysteresis ({@link AlertFunction}) keyed by entity downstream of the
 * scorer, alerts without hysteresis ({@link EventAlertFunction}, nothing kept per entity) in the scorer's own chain.
 */
public final class Outputs {
    private static final Logger LOG = LoggerFactory.getLogger(Outputs.class);
    /** Items remembered per user for the feed: this many, or three times the feed size if more. */
    public static final int MIN_FEED_HISTORY = 50;

    private Outputs() {
    }

    /**
     * Where the outputs go; a null sink leaves that output out.
     *
     * @param alerts where alerts go, or null
     * @param feed   where feed updates go, or null
     */
    public record Sinks(Sink<Alert> alerts, Sink<FeedUpdate> feed) {
        /** No outputs (what {@code ScoreJob.build} attaches unless told otherwise). */
        public static final Sinks NONE = new Sinks(null, null);

        /**
         * Exactly-once Kafka sinks for the outputs the domain has (alerts to its alerts topic, the feed to its feed
         * topic, both keyed by entity). The sinks need their topics to exist when they start (they look up open
         * transactions per topic; broker auto-creation does not cover that), so an output topic that does not exist
         * yet is created now, with as many partitions as the domain's scores topic and the broker's default
         * replication.
         *
         * @throws IllegalStateException if the broker cannot be asked or refuses to create a topic
         */
        public static Sinks kafka(Domain domain, Config config) {
            Domain.Outputs o = domain.outputs();
            List<String> topics = new ArrayList<>();
            if (o.alertsTopic() != null) {
                topics.add(o.alertsTopic());
            }
            if (o.feedSize() > 0) {
                topics.add(o.feedTopic());
            }
            if (!topics.isEmpty()) {
                ensureTopics(config.get(JobSettings.BOOTSTRAP), domain.scoresTopic(), topics);
            }
            String registry = config.get(JobSettings.REGISTRY_URL);
            Sink<Alert> alerts = o.alertsTopic() == null ? null : KafkaIo.exactlyOnceSink(config, o.alertsTopic(), "alerts",
                    new AvroRecordSerialization<>(o.alertsTopic(), registry, Alert.class, Alert::getEntity));
            Sink<FeedUpdate> feed = o.feedSize() == 0 ? null : KafkaIo.exactlyOnceSink(config, o.feedTopic(), "feed",
                    new AvroRecordSerialization<>(o.feedTopic(), registry, FeedUpdate.class, FeedUpdate::getEntity));
            return new Sinks(alerts, feed);
        }
    }

    /** Creates the topics that do not exist, with the partitions of {@code like} (1 if it does not exist either). */
    static void ensureTopics(String bootstrap, String like, List<String> topics) {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    int partitions = existing.contains(like)
                            ? admin.describeTopics(List.of(like)).allTopicNames().get(60, TimeUnit.SECONDS).get(like).partitions().size()
                            : 1;
                    missing.add(new NewTopic(t, Optional.of(partitions), Optional.empty()));
                }
            }
            for (NewTopic t : missing) {
                try {
                    admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
                    LOG.info("Created output topic {} ({} partitions, like {})", t.name(), t.numPartitions(), like);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create output topics " + topics + " at " + bootstrap + ": " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from " + bootstrap + " about output topics " + topics + " within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking output topics " + topics, e);
        }
    }

    /**
     * Adds the outputs the domain asks for (and the sinks give) after the scores.
     *
     * @param domain the domain
     * @param config the job's settings ({@code features.state_ttl} is also the feed state's time-to-live)
     * @param scores the scorer's output
     * @param sinks  where the outputs go
     * @throws IllegalArgumentException if the domain has a feed but no item column ({@link #itemColumn})
     */
    public static void attach(Domain domain, Config config, DataStream<Score> scores, Sinks sinks) {
        Domain.Outputs o = domain.outputs();
        String name = domain.name();
        if (o.alertsTopic() != null && sinks.alerts() != null) {
            AlertRule rule = AlertRule.of(o);
            List<String> names = domain.features().outputNames();
            TypeInformation<Alert> type = TypeInformation.of(Alert.class);
            SingleOutputStreamOperator<Alert> alerts = rule.hysteresis()
                    ? scores.keyBy(Score::getEntity, Types.STRING).process(new AlertFunction(name, rule, names), type)
                    : scores.process(new EventAlertFunction(name, rule, names), type);
            alerts.name("alerts").uid("alerts-" + name)
                    .sinkTo(sinks.alerts()).name("alerts-sink").uid("alerts-sink-" + name);
        }
        if (o.feedSize() > 0 && sinks.feed() != null) {
            int history = Math.max(MIN_FEED_HISTORY, 3 * o.feedSize());
            scores.keyBy(Score::getEntity, Types.STRING)
                    .process(new FeedFunction(name, itemColumn(domain), o.feedSize(), history, config.get(JobSettings.FEATURE_TTL)),
                            TypeInformation.of(FeedUpdate.class))
                    .name("feed").uid("feed-" + name)
                    .sinkTo(sinks.feed()).name("feed-sink").uid("feed-sink-" + name);
        }
    }

    /**
     * The feature column holding the item of a feed domain's scored event: the model's second embedded id column
     * (the first is the user's; clicks: {@code user_hash}, {@code item_hash}).
     *
     * @throws IllegalArgumentException if the model embeds fewer than two id columns
     */
    public static int itemColumn(Domain domain) {
        List<Domain.ModelShape.Embedding> embeddings = domain.model().embeddings();
        if (embeddings.size() < 2) {
            throw new IllegalArgumentException("outputs.feed_size: domain '" + domain.name() + "' has a feed, which ranks items "
                    + "by the model's second embedded id column (the first is the user), but its model embeds "
                    + embeddings.size() + " id column(s)");
        }
        return domain.features().outputNames().indexOf(embeddings.get(1).column());
    }
}
