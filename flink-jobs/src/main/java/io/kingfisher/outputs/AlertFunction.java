package io.kingfisher.outputs;

import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.AlertState;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Scores keyed by entity in, {@link Alert}s out, by a domain's {@link AlertRule} with hysteresis ({@link Alerting} makes
 * the alerts). A rule without hysteresis keeps nothing per entity and runs unkeyed, in the scorer's chain
 * ({@link EventAlertFunction}).
 *
 * <p><b>State</b>: keyed value state {@code open-alert}, the id of the entity's open alert (absent while the entity is
 * quiet), so only entities in alert hold state. It has no TTL on purpose: an alert is never dropped silently; an
 * entity that stops sending stays in alert.
 *
 * <p>Metrics: {@code alertsRaised}, {@code alertsCleared}.
 */
public final class AlertFunction extends KeyedProcessFunction<String, Score, Alert> {
    private static final long serialVersionUID = 1L;

    private final Alerting.Spec spec;

    private transient ValueState<String> open;
    private transient Alerting alerting;
    private transient Counter raised;
    private transient Counter cleared;

    /**
     * @param domain       the domain, for the alert's fields and ids
     * @param rule         when to raise and clear; with hysteresis
     * @param featureNames the names of the scored features, in vector order
     * @throws IllegalArgumentException if the rule has no hysteresis (use {@link EventAlertFunction})
     */
    public AlertFunction(String domain, AlertRule rule, List<String> featureNames) {
        if (!rule.hysteresis()) {
            throw new IllegalArgumentException("rule " + rule + " keeps no state per entity: alert with EventAlertFunction");
        }
        this.spec = new Alerting.Spec(domain, rule, featureNames);
    }

    @Override
    public void open(OpenContext ctx) {
        open = getRuntimeContext().getState(new ValueStateDescriptor<>("open-alert", Types.STRING));
        alerting = spec.create();
        raised = getRuntimeContext().getMetricGroup().counter("alertsRaised");
        cleared = getRuntimeContext().getMetricGroup().counter("alertsCleared");
    }

    @Override
    public void processElement(Score s, Context ctx, Collector<Alert> out) throws Exception {
        Alert a = alerting.onScore(s, open.value());
        if (a == null) {
            return;
        }
        out.collect(a);
        if (a.getState() == AlertState.RAISED) {
            open.update(a.getAlertId());
            raised.inc();
        } else {
            open.clear();
            cleared.inc();
        }
    }
}
