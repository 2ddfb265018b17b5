package io.kingfisher.outputs;

import io.kingfisher.schemas.core.Alert;
import io.kingfisher.schemas.core.AlertState;
import io.kingfisher.schemas.core.Reason;
import io.kingfisher.schemas.core.Score;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores keyed by entity in, {@link Alert}s out, by the domain's {@link AlertRule}.
 *
 * <p>A RAISED alert's id is {@code <domain>:<event id>} of the score that raised it (the same on a replay), its
 * threshold the alert threshold, its reasons the event's most unusual features ({@link FeatureStats}, up to
 * {@value #REASONS}). With hysteresis the CLEARED alert that closes it carries the same id, the clearing score's event
 * and the clear threshold, and no reasons.
 *
 * <p><b>State</b>: with hysteresis, keyed value state {@code open-alert}, the id of the entity's open alert (absent
 * while the entity is quiet), so only entities in alert hold state. It has no TTL on purpose: an alert is never
 * dropped silently; an entity that stops sending stays in alert. Without hysteresis there is no keyed state. The
 * feature statistics behind the reasons are per subtask and not checkpointed (see {@link FeatureStats}).
 *
 * <p>Metrics: {@code alertsRaised}, {@code alertsCleared}.
 */
public final class AlertFunction extends KeyedProcessFunction<String, Score, Alert> {
    private static final long serialVersionUID = 1L;
    /** Most reasons an alert gives. */
    public static final int REASONS = 3;

    private final String domain;
    private final AlertRule rule;
    private final List<String> featureNames;

    private transient ValueState<String> open;
    private transient FeatureStats stats;
    private transient Counter raised;
    private transient Counter cleared;

    /**
     * @param domain       the domain, for the alert's fields and ids
     * @param rule         when to raise and clear
     * @param featureNames the names of the scored features, in vector order
     */
    public AlertFunction(String domain, AlertRule rule, List<String> featureNames) {
        if (featureNames == null || featureNames.isEmpty()) {
            throw new IllegalArgumentException("featureNames must name the scored features");
        }
        this.domain = domain;
        this.rule = rule;
        this.featureNames = List.copyOf(featureNames);
    }

    @Override
    public void open(OpenContext ctx) {
        if (rule.hysteresis()) {
            open = getRuntimeContext().getState(new ValueStateDescriptor<>("open-alert", Types.STRING));
        }
        stats = new FeatureStats(featureNames.size());
        raised = getRuntimeContext().getMetricGroup().counter("alertsRaised");
        cleared = getRuntimeContext().getMetricGroup().counter("alertsCleared");
    }

    @Override
    public void processElement(Score s, Context ctx, Collector<Alert> out) throws Exception {
        String openId = open == null ? null : open.value();
        AlertRule.Action action = rule.decide(openId != null, s.getScore());
        switch (action) {
            case RAISE: {
                String id = domain + ":" + s.getEventId();
                out.collect(alert(s, id, AlertState.RAISED, rule.alertThreshold(),
                        reasons(stats.reasons(s.getFeatures(), featureNames, REASONS))));
                if (open != null) {
                    open.update(id);
                }
                raised.inc();
                break;
            }
            case CLEAR:
                out.collect(alert(s, openId, AlertState.CLEARED, rule.clearThreshold(), List.of()));
                open.clear();
                cleared.inc();
                break;
            default:
                break;
        }
        stats.observe(s.getFeatures());
    }

    private Alert alert(Score s, String id, AlertState state, double threshold, List<Reason> reasons) {
        return Alert.newBuilder()
                .setAlertId(id)
                .setDomain(domain)
                .setEntity(s.getEntity())
                .setEventId(s.getEventId())
                .setEventTime(s.getEventTime())
                .setScore(s.getScore())
                .setThreshold(threshold)
                .setModelVersion(s.getModelVersion())
                .setState(state)
                .setReasons(reasons)
                .build();
    }

    private static List<Reason> reasons(List<FeatureStats.Reason> found) {
        List<Reason> out = new ArrayList<>(found.size());
        for (FeatureStats.Reason r : found) {
            out.add(new Reason(r.feature(), r.value(), r.z()));
        }
        return out;
    }
}
