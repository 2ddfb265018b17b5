package io.kingfisher.bench;

import io.kingfisher.config.Config;
import io.kingfisher.domain.Domain;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.flink.InputEvents;
import io.kingfisher.jobs.DeadLetters;
import io.kingfisher.jobs.DecodeFunction;
import io.kingfisher.jobs.JobSettings;
import io.kingfisher.jobs.ScoreJob;
import io.kingfisher.schemas.core.FloatList;
import io.kingfisher.schemas.core.Score;
import io.kingfisher.scoring.flink.Scores;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The yardstick for {@code kingfisher demo --rate max}: the least job that does what every streaming scorer must,
 * on the same Kafka topics, sources and exactly-once sinks as {@link ScoreJob}. It decodes and validates each event
 * (bad records to the dead-letter topic), keeps one RocksDB value per entity (the events seen) and writes one
 * {@link Score} per event, with no features, no model and no outputs beyond the scores. This is the "bare Flink job
 * with one small RocksDB value per event between two Kafka topics" that the scoring issue gives as the scale of this
 * machine; run through the demo ({@code --job baseline}) it shares the cores with the demo's own producer, broker and
 * consumer as the scoring job does, so the two figures, measured one after the other, say what the scoring job's own
 * work costs and what the harness leaves to any job.
 */
public final class BaselineJob {
    private BaselineJob() {
    }

    /** Adds the job to {@code env}, reading and writing the topics {@code io}'s scoring job would. */
    public static void buildOnKafka(StreamExecutionEnvironment env, Domain domain, ScoreJob io, Config config) {
        String registryUrl = config.get(JobSettings.REGISTRY_URL);
        env.getConfig().enableObjectReuse();
        SingleOutputStreamOperator<InputEvent> decoded = io.kafkaEvents(env)
                .process(new DecodeFunction(domain, registryUrl), InputEvents.TYPE)
                .name("decode+validate").uid("decode-" + domain.name());
        decoded.keyBy(e -> e.entity, Types.STRING)
                .process(new CountPerEntity(domain.name()), Scores.TYPE)
                .name("count-per-entity").uid("baseline-count-" + domain.name())
                .sinkTo(io.kafkaScoresSink()).name("scores-sink").uid("scores-sink-" + domain.name());
        decoded.getSideOutput(DeadLetters.TAG)
                .sinkTo(io.kafkaDeadLetterSink()).name("dlq-sink").uid("dlq-sink-" + domain.name());
    }

    /**
     * Counts each entity's events in keyed state and scores an event with the share of them it is: {@code 1 - 1/n}
     * for the entity's n-th event, as model version 0 (there is no model).
     */
    static final class CountPerEntity extends KeyedProcessFunction<String, InputEvent, Score> {
        private static final long serialVersionUID = 1L;
        private static final FloatList NO_FEATURES = FloatList.over(new float[0]);

        private final String domain;
        private transient ValueState<Long> seen;

        CountPerEntity(String domain) {
            this.domain = domain;
        }

        @Override
        public void open(OpenContext ctx) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.LONG));
        }

        @Override
        public void processElement(InputEvent e, Context ctx, Collector<Score> out) throws Exception {
            Long before = seen.value();
            long n = before == null ? 1 : before + 1;
            seen.update(n);
            out.collect(new Score(e.eventId, domain, e.entity, e.eventTime, e.ingestTime, System.currentTimeMillis(),
                    1.0 - 1.0 / n, 0L, "", NO_FEATURES));
        }
    }
}
