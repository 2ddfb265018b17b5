package io.kingfisher.outputs;

import io.kingfisher.config.Config;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.domain.Domain;
import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.FeedUpdate;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputsTest {

    /** A sink that drops everything (the graph is only built here, never run). */
    private static final class Drop<T> implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            throw new UnsupportedOperationException("not run");
        }
    }

    private static List<String> operators(Domain domain, Outputs.Sinks sinks) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Score> scores = env.fromData(OutputsTestData.score(domain.name(), "e", "1", 0L, 0.5, 1f));
        scores.sinkTo(new Drop<>()).name("scores-sink");
        Outputs.attach(domain, Config.of(Map.of(), List.of()), scores, sinks);
        return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getOperatorName).toList();
    }

    @Test
    void eachDomainGetsTheOutputsItDeclares() {
        Outputs.Sinks all = new Outputs.Sinks(new Drop<Alert>(), new Drop<FeedUpdate>());
        List<String> fraud = operators(BuiltInDomains.fraud(), all);
        assertTrue(fraud.contains("alerts") && !fraud.contains("feed"), fraud.toString());
        List<String> clicks = operators(BuiltInDomains.clicks(), all);
        assertTrue(clicks.contains("feed") && !clicks.contains("alerts"), clicks.toString());
        List<String> clinical = operators(BuiltInDomains.clinical(), all);
        assertTrue(clinical.contains("alerts") && !clinical.contains("feed"), clinical.toString());
        List<String> none = operators(BuiltInDomains.clinical(), Outputs.Sinks.NONE);
        assertTrue(!none.contains("alerts") && !none.contains("feed"), "no sinks, no outputs: " + none);
    }

    @Test
    void alertsWithoutHysteresisReadTheScoresWithoutAShuffle() {
        assertEquals("FORWARD", partitionerIntoAlerts(BuiltInDomains.fraud()), "fraud: every payment is its own decision");
        assertEquals("HASH", partitionerIntoAlerts(BuiltInDomains.clinical()), "clinical: an open alert per patient");
    }

    /** The partitioner on the edge into the alerts operator, after a scorer-like operator at parallelism 2. */
    private static String partitionerIntoAlerts(Domain domain) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Score> scores = env.fromData(OutputsTestData.score(domain.name(), "e", "1", 0L, 0.5, 1f))
                .map(s -> s).returns(TypeInformation.of(Score.class)).name("score");
        Outputs.attach(domain, Config.of(Map.of(), List.of()), scores, new Outputs.Sinks(new Drop<Alert>(), null));
        StreamGraph graph = env.getStreamGraph();
        StreamNode alerts = graph.getStreamNodes().stream().filter(n -> n.getOperatorName().equals("alerts")).findFirst()
                .orElseThrow();
        return alerts.getInEdges().get(0).getPartitioner().toString();
    }

    @Test
    void theFeedReadsTheSecondEmbeddedIdColumn() {
        assertEquals(1, Outputs.itemColumn(BuiltInDomains.clicks()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Outputs.itemColumn(BuiltInDomains.fraud()));
        assertTrue(e.getMessage().contains("outputs.feed_size") && e.getMessage().contains("'fraud'"), e.getMessage());
    }
}
