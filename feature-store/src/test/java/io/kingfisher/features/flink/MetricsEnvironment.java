package io.kingfisher.features.flink;

import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

import java.util.Map;

/** A one-subtask task environment for operator harnesses whose operator metrics land in {@code metrics}. */
final class MetricsEnvironment {
    private MetricsEnvironment() {
    }

    static MockEnvironment of(String taskName, InterceptingOperatorMetricGroup metrics) {
        return new MockEnvironmentBuilder()
                .setTaskName(taskName)
                .setManagedMemorySize(3 * 1024 * 1024)
                .setMaxParallelism(1)
                .setParallelism(1)
                .setMetricGroup(new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> info) {
                        return metrics;
                    }
                })
                .build();
    }
}
