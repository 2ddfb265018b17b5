package io.kingfisher.outputs;

import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Scores in, {@link Alert}s out, by a domain's {@link AlertRule} without hysteresis: every score at or above the
 * threshold is an alert of its own (a payment is fraudulent or not), so nothing is kept per entity and the function
 * needs no keyed stream. It runs in the scorer's chain: a score reaches it without crossing a shuffle (each fraud
 * score with its 27 features used to be serialized for a keyed alerts operator that kept no state), and an alert
 * leaves as soon as its score. {@link Alerting} makes the alerts; its feature statistics are per subtask, as they
 * were.
 *
 * <p>Metrics: {@code alertsRaised}.
 */
public final class EventAlertFunction extends ProcessFunction<Score, Alert> {
    private static final long serialVersionUID = 1L;

    private final Alerting.Spec spec;

    private transient Alerting alerting;
    private transient Counter raised;

    /**
     * @param domain       the domain, for the alert's fields and ids
     * @param rule         when to raise; without hysteresis
     * @param featureNames the names of the scored features, in vector order
     * @throws IllegalArgumentException if the rule has hysteresis (use {@link AlertFunction}, keyed by entity)
     */
    public EventAlertFunction(String domain, AlertRule rule, List<String> featureNames) {
        if (rule.hysteresis()) {
            throw new IllegalArgumentException("rule " + rule + " keeps an open alert per entity: alert with AlertFunction, keyed by entity");
        }
        this.spec = new Alerting.Spec(domain, rule, featureNames);
    }

    @Override
    public void open(OpenContext ctx) {
        alerting = spec.create();
        raised = getRuntimeContext().getMetricGroup().counter("alertsRaised");
    }

    @Override
    public void processElement(Score s, Context ctx, Collector<Alert> out) {
        Alert a = alerting.onScore(s, null);
        if (a != null) {
            out.collect(a);
            raised.inc();
        }
    }
}
