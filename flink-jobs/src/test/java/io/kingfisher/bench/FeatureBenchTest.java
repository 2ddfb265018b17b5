package io.kingfisher.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kingfisher.domain.BuiltInDomains;
import io.kingfisher.features.FeatureDef;
import io.kingfisher.features.FeatureSpec;
import io.kingfisher.features.InputEvent;
import io.kingfisher.features.NumericRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureBenchTest {

    @Test
    void measuresEveryBuiltInDomainAndWritesTheJsonTheCliPromises(@TempDir Path dir) throws Exception {
        Map<String, Map<String, Double>> results = FeatureBench.run(5_000, 500, Map.of());
        assertEquals(BuiltInDomains.NAMES, List.copyOf(results.keySet()));
        for (String name : BuiltInDomains.NAMES) {
            Map<String, Double> r = results.get(name);
            FeatureSpec spec = BuiltInDomains.byName(name).features();
            double rate = r.get(FeatureBench.UPDATES_PER_SEC_PER_CORE);
            assertTrue(rate > 0 && Double.isFinite(rate), name + ": " + r);
            double entities = r.get(FeatureBench.ENTITIES);
            assertTrue(entities >= 1 && entities <= 500, name + ": " + r);
            double bytes = r.get(FeatureBench.STATE_BYTES_PER_ENTITY);
            // at least the key's bytes, at most every slot raw plus key, TTL timestamp and framing, for the primary
            // entities and (spread over them) the related entities
            double related = r.get(FeatureBench.RELATED_ENTITIES);
            double relatedDoubles = r.get(FeatureBench.RELATED_STATE_DOUBLES);
            double most = 8 * spec.stateSize() + 256 + related / entities * (8 * relatedDoubles + 256);
            assertTrue(bytes > 4 && bytes < most, name + ": " + bytes + " bytes for " + spec.stateSize() + " doubles and "
                    + related + " related entities of " + relatedDoubles);
            assertEquals(spec.stateSize(), r.get(FeatureBench.STATE_DOUBLES));
            assertEquals(spec.related().size(), r.get(FeatureBench.RELATED_STAGES));
            assertEquals(spec.hasRelated(), related >= 1, name + ": the related entities were counted: " + r);
            assertEquals(spec.hasRelated(), r.containsKey(FeatureBench.OWN_UPDATES_PER_SEC_PER_CORE),
                    name + ": the primary stage alone is measured where there are related stages: " + r);
            assertEquals(5_000, r.get(FeatureBench.EVENTS));
        }
        Path json = dir.resolve("out/features.json");
        FeatureBench.writeJson(results, json);
        Map<String, Map<String, Double>> read = new ObjectMapper().readValue(json.toFile(), new TypeReference<>() {
        });
        assertEquals(results, read);
        assertTrue(FeatureBench.table(results).lines().anyMatch(l -> l.startsWith("fraud")));
    }

    @Test
    void withoutItsRelatedEntitiesASpecKeepsItsOwnColumns() {
        FeatureSpec fraud = BuiltInDomains.fraud().features();
        FeatureSpec own = FeatureBench.withoutRelated(fraud);
        assertEquals(fraud.outputNames().subList(0, 21), own.outputNames(), "no lookups, no amount_vs_merchant");
        assertTrue(!own.hasRelated() && own.stateSize() == fraud.stateSize());
        assertEquals(fraud.numericInputs(), own.numericInputs());
        assertEquals(fraud.textInputs().subList(0, own.textInputs().size()), own.textInputs());
    }

    @Test
    void syntheticEventsAreDeterministicInTimeOrderAndWithinTheRules() {
        FeatureSpec spec = FeatureSpec.of(
                FeatureDef.Numeric.of("heart_rate", FeatureDef.Transform.NONE),
                FeatureDef.Numeric.of("dose", FeatureDef.Transform.NONE),
                new FeatureDef.OneHot("ward", "ward", List.of("A", "B")),
                FeatureDef.DistinctCount.lifetime("nurses", "nurse"));
        List<NumericRule> rules = List.of(NumericRule.required("heart_rate", 30, 200));
        InputEvent[] a = FeatureBench.synthetic(spec, rules, 2_000, 50);
        InputEvent[] b = FeatureBench.synthetic(spec, rules, 2_000, 50);
        Set<String> wards = new HashSet<>();
        Set<String> nurses = new HashSet<>();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i].toString(), b[i].toString());
            assertTrue(i == 0 || a[i].eventTime >= a[i - 1].eventTime);
            rules.get(0).check(a[i].numbers[0]);
            assertTrue(a[i].numbers[1] >= 0 && a[i].numbers[1] <= 1000, "no rule: 0..1000");
            wards.add(a[i].texts[0]);
            nurses.add(a[i].texts[1]);
        }
        assertEquals(Set.of("A", "B"), wards, "the one-hot's categories");
        assertEquals(20, nurses.size(), "twenty values where no one-hot names them");
        assertEquals(50, Arrays.stream(a).map(e -> e.entity).distinct().count());
    }
}
