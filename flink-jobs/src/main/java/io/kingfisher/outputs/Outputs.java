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

import java.util.List;

/**
 * Puts a domain's outputs behind its scores, as its {@link Domain.Outputs} asks: alerts ({@link AlertFunction}) when
 * it names an alerts topic, the per-user feed ({@link FeedFunction}) when its feed size is above 0. Both are keyed by
 * entity, downstream of the scorer, so they see each entity's scores in the order they were scored.
 */
public final class Outputs {
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
         * @return exactly-once Kafka sinks for the outputs the domain has (alerts to its alerts topic, the feed to its
         *     feed topic, both keyed by entity); the topics must exist or the broker must create them
         */
        public static Sinks kafka(Domain domain, Config config) {
            Domain.Outputs o = domain.outputs();
            String registry = config.get(JobSettings.REGISTRY_URL);
            Sink<Alert> alerts = o.alertsTopic() == null ? null : KafkaIo.exactlyOnceSink(config, o.alertsTopic(), "alerts",
                    new AvroRecordSerialization<>(o.alertsTopic(), registry, Alert.class, Alert::getEntity));
            Sink<FeedUpdate> feed = o.feedSize() == 0 ? null : KafkaIo.exactlyOnceSink(config, o.feedTopic(), "feed",
                    new AvroRecordSerialization<>(o.feedTopic(), registry, FeedUpdate.class, FeedUpdate::getEntity));
            return new Sinks(alerts, feed);
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
            scores.keyBy(Score::getEntity, Types.STRING)
                    .process(new AlertFunction(name, AlertRule.of(o), domain.features().outputNames()),
                            TypeInformation.of(Alert.class))
                    .name("alerts").uid("alerts-" + name)
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
