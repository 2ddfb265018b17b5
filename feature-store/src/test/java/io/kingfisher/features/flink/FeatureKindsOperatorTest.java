package io.kingfisher.features.flink;

import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureDef.Agg;
import io.kingfisher.features.FeatureDef.Transform;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.FeaturedEvent;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.OfflineFeatures;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every feature kind through the keyed operator on RocksDB: two entities interleaved, and the vector of entity
 * a's third event checked against values worked out by hand (and every vector against the offline engine).
 */
class FeatureKindsOperatorTest {
    private static final long M = 60_000L;
    private static final double LN2 = Math.log(2);

    /** a: 10 GB at 0, 20 FR at 2m, then 30 GB at 3m (the checked one); b: 100 FR at 1m, 200 NG at 2m30s. */
    private static List<InputEvent> events() {
        return List.of(
                event("a", 0, 10, "GB"),
                event("b", M, 100, "FR"),
                event("a", 2 * M, 20, "FR"),
                event("b", 2 * M + 30_000, 200, "NG"),
                event("a", 3 * M, 30, "GB"));
    }

    private static InputEvent event(String entity, long t, double amount, String country) {
        return new InputEvent(entity + t, entity, t, t, new double[]{amount}, new String[]{country});
    }

    static Stream<Arguments> kinds() {
        double ewmaDay = (10 * Math.exp(-LN2 * 2 * M / 86_400_000.0) + 20) / (Math.exp(-LN2 * 2 * M / 86_400_000.0) + 1);
        double hourAngle = 2 * Math.PI * (3.0 / 60) / 24;
        FeatureDef window = FeatureDef.Window.of("w", "amount", Duration.ofMinutes(10), Duration.ofMinutes(1), Agg.COUNT, Agg.SUM, Agg.MAX);
        return Stream.of(
                Arguments.of("numeric", FeatureSpec.of(FeatureDef.Numeric.of("amount", Transform.NONE)), new float[]{30}),
                Arguments.of("one-hot", FeatureSpec.of(new FeatureDef.OneHot("c", "country", List.of("GB", "FR"))), new float[]{1, 0, 0}),
                Arguments.of("hour of day", FeatureSpec.of(new FeatureDef.HourOfDay("h")),
                        new float[]{(float) Math.sin(hourAngle), (float) Math.cos(hourAngle)}),
                Arguments.of("decayed count", FeatureSpec.of(new FeatureDef.DecayedCount("n", Duration.ofHours(1))),
                        new float[]{(float) Math.log1p(Math.pow(2, -3.0 / 60) + Math.pow(2, -1.0 / 60))}),
                Arguments.of("ewma ratio", FeatureSpec.of(new FeatureDef.EwmaRatio("r", "amount", Duration.ofDays(1))),
                        new float[]{(float) Math.log(31 / (ewmaDay + 1))}),
                Arguments.of("ewma", FeatureSpec.of(new FeatureDef.Ewma("e", "amount", Duration.ofDays(1), Transform.NONE)),
                        new float[]{(float) ewmaDay}),
                Arguments.of("time since last", FeatureSpec.of(new FeatureDef.TimeSinceLast("dt", Duration.ofHours(1))),
                        new float[]{(float) Math.log1p(60)}),
                Arguments.of("differs from first", FeatureSpec.of(new FeatureDef.DiffersFromFirst("abroad", "country")), new float[]{0}),
                Arguments.of("window", FeatureSpec.of(window), new float[]{2, 30, 20}),
                Arguments.of("distinct count, lifetime", FeatureSpec.of(FeatureDef.DistinctCount.lifetime("d", "country")), new float[]{2}),
                Arguments.of("distinct count, windowed", FeatureSpec.of(
                        FeatureDef.DistinctCount.windowed("d", "country", Duration.ofMinutes(2), Duration.ofMinutes(1))), new float[]{1}),
                Arguments.of("last n", FeatureSpec.of(FeatureDef.LastN.of("l", "amount", 3)), new float[]{20, 10, 0}),
                Arguments.of("ratio", FeatureSpec.of(window, new FeatureDef.Ratio("avg", "w[sum]", "w[count]")), new float[]{2, 30, 20, 15}),
                Arguments.of("difference", FeatureSpec.of(window, new FeatureDef.Difference("over_max", "amount", "w[max]"),
                        FeatureDef.Numeric.of("amount", Transform.NONE)), new float[]{2, 30, 20, 10, 30}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void eachKindThroughTheOperatorOnRocksDb(String kind, FeatureSpec spec, float[] expected) throws Exception {
        OfflineFeatures offline = new OfflineFeatures(spec);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeatureFunction(spec, Duration.ofDays(1))), (InputEvent e) -> e.entity, Types.STRING)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            for (InputEvent e : events()) {
                h.processElement(new StreamRecord<>(e, e.eventTime));
            }
            List<FeaturedEvent> out = h.extractOutputValues();
            assertEquals(events().size(), out.size());
            for (int i = 0; i < out.size(); i++) {
                assertArrayEquals(offline.next(events().get(i)), out.get(i).features, kind + ", event " + i);
            }
            assertArrayEquals(expected, out.get(4).features, 1e-5f, kind);
        }
    }
}
