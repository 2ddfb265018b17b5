package io.kingfisher.scoring.flink;

import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.schemas.core.ModelSnapshot;
import io.kingfisher.schemas.core.Score;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * A two-input harness for {@link ScoringOperator} whose operator metrics can be read back: the stock
 * {@code TwoInputStreamOperatorTestHarness} registers them nowhere. Model loads complete on the operator's
 * loader thread and come back as mail; {@link #runMailUntil} runs that mail on the test thread, which here
 * plays the task thread.
 */
final class ScoringHarness extends AbstractStreamOperatorTestHarness<Score> {

    private final ScoringOperator scorer;
    private final InterceptingOperatorMetricGroup metrics;

    private ScoringHarness(ScoringOperator scorer, InterceptingOperatorMetricGroup metrics) throws Exception {
        // Through a factory, as in a job: that is how the operator gets its mailbox executor.
        super(SimpleOperatorFactory.of(scorer), new MockEnvironmentBuilder().setMetricGroup(
                new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name,
                                                                        Map<String, String> variables) {
                        return metrics;
                    }
                }).build());
        this.scorer = scorer;
        this.metrics = metrics;
    }

    static ScoringHarness of(ScoringOperator scorer) throws Exception {
        return new ScoringHarness(scorer, new InterceptingOperatorMetricGroup());
    }

    void event(FeaturedEvent e) throws Exception {
        scorer.processElement1(new StreamRecord<>(e));
    }

    void snapshot(ModelSnapshot s) throws Exception {
        scorer.processElement2(new StreamRecord<>(s));
    }

    /** Runs the operator's mail (finished model loads) until the condition holds; waits for mail as needed. */
    void runMailUntil(BooleanSupplier condition) throws Exception {
        TaskMailbox mailbox = getTaskMailbox();
        while (!condition.getAsBoolean()) {
            mailbox.take(TaskMailbox.MIN_PRIORITY).run();
        }
    }

    /** Runs mail until the {@code snapshotsAccepted} and {@code snapshotsRefused} counters reach the given totals. */
    void awaitDecisions(long accepted, long refused) throws Exception {
        runMailUntil(() -> count("snapshotsAccepted") >= accepted && count("snapshotsRefused") >= refused);
    }

    List<Score> scores() {
        return extractOutputValues();
    }

    long count(String counter) {
        return ((Counter) metric(counter)).getCount();
    }

    Object gauge(String gauge) {
        return ((Gauge<?>) metric(gauge)).getValue();
    }

    Histogram histogram(String histogram) {
        return (Histogram) metric(histogram);
    }

    private Metric metric(String name) {
        Metric m = metrics.get(name);
        if (m == null) {
            throw new AssertionError("no metric '" + name + "' registered");
        }
        return m;
    }
}
