package io.kingfisher.streams.features;

import static io.kingfisher.streams.features.Vectors.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kingfisher.schemas.core.FeatureVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A lookup over a map, with switches for the not-ready and elsewhere answers. */
    private static final class FakeLookup implements FeatureLookup {
        final Map<String, FeatureVector> vectors = new HashMap<>();
        final List<String> asked = new ArrayList<>();
        FeatureLookup.Result override;
        Health health = new Health(true, "RUNNING", "");

        @Override
        public List<String> domains() {
            return List.of("fraud", "clicks");
        }

        @Override
        public Result lookup(String domain, String entity) {
            asked.add(domain + "|" + entity);
            if (!domains().contains(domain)) {
                return new UnknownDomain(domains());
            }
            if (override != null) {
                return override;
            }
            FeatureVector v = vectors.get(domain + "|" + entity);
            return v == null ? new Missing() : new Found(v);
        }

        @Override
        public Health health() {
            return health;
        }
    }

    private final FakeLookup lookup = new FakeLookup();
    private final FeatureRoutes routes = new FeatureRoutes(lookup);

    private static JsonNode json(FeatureRoutes.Reply r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void aKnownEntityIsItsVector() throws Exception {
        lookup.vectors.put("fraud|card-1", vector("card-1", 42, 1.5f));
        FeatureRoutes.Reply r = routes.handle("GET", "/features/fraud/card-1");
        assertEquals(200, r.status());
        JsonNode body = json(r);
        assertEquals("card-1", body.get("entity").asText());
        assertEquals(42, body.get("event_time").asLong());
        assertEquals(1.5, body.get("features").get("f0").asDouble());
    }

    @Test
    void anUnknownEntityIs404NamingIt() throws Exception {
        FeatureRoutes.Reply r = routes.handle("GET", "/features/fraud/card-404");
        assertEquals(404, r.status());
        JsonNode body = json(r);
        assertEquals("no features for entity 'card-404' in domain 'fraud'", body.get("error").asText());
        assertEquals("card-404", body.get("entity").asText());
        assertEquals("fraud", body.get("domain").asText());
    }

    @Test
    void anUnservedDomainIs404NamingTheServedOnes() throws Exception {
        FeatureRoutes.Reply r = routes.handle("GET", "/features/clinical/p-1");
        assertEquals(404, r.status());
        assertEquals("domain 'clinical' is not served here (served: fraud, clicks)", json(r).get("error").asText());
    }

    @Test
    void badPathsAre400() throws Exception {
        for (String path : List.of("/", "/features", "/features/", "/features/fraud", "/features/fraud/",
            "/features//card-1", "/features/fraud/card-1/extra", "/feature/fraud/card-1", "features/fraud/card-1",
            "/features/fraud/%zz", "/features/fraud/%4")) {
            FeatureRoutes.Reply r = routes.handle("GET", path);
            assertEquals(400, r.status(), path);
            assertTrue(json(r).get("error").asText().contains(path), r.body());
        }
        assertTrue(lookup.asked.isEmpty(), "no lookup for a bad path: " + lookup.asked);
    }

    @Test
    void segmentsArePercentDecoded() {
        lookup.vectors.put("fraud|user/1 2+3é", vector("user/1 2+3é", 1, 1f));
        assertEquals(200, routes.handle("GET", "/features/fraud/user%2F1%202+3%C3%A9").status());
        assertEquals(List.of("fraud|user/1 2+3é"), lookup.asked);
    }

    @Test
    void aStoreThatIsNotQueryableIs503WithRetryAfter() throws Exception {
        lookup.override = new FeatureLookup.NotReady("Kafka Streams is REBALANCING");
        FeatureRoutes.Reply r = routes.handle("GET", "/features/fraud/card-1");
        assertEquals(503, r.status());
        assertEquals("1", r.headers().get("Retry-After"));
        assertTrue(json(r).get("error").asText().contains("REBALANCING"), r.body());
    }

    @Test
    void anEntityOnAnotherInstanceIsARedirectThere() {
        lookup.override = new FeatureLookup.Elsewhere("node-2", 8091);
        FeatureRoutes.Reply r = routes.handle("GET", "/features/fraud/user%2F1");
        assertEquals(307, r.status());
        assertEquals("http://node-2:8091/features/fraud/user%2F1", r.headers().get("Location"));
    }

    @Test
    void aStoredVectorWhoseNamesAndValuesDoNotPairUpIs500() throws Exception {
        FeatureVector broken = vector("card-1", 1, 1f, 2f);
        broken.setValues(List.of(1f));
        lookup.vectors.put("fraud|card-1", broken);
        FeatureRoutes.Reply r = routes.handle("GET", "/features/fraud/card-1");
        assertEquals(500, r.status());
        assertTrue(json(r).get("error").asText().contains("2 name(s) but 1 value(s)"), r.body());
    }

    @Test
    void onlyGetAndHead() {
        FeatureRoutes.Reply r = routes.handle("POST", "/features/fraud/card-1");
        assertEquals(405, r.status());
        assertEquals("GET, HEAD", r.headers().get("Allow"));
        assertEquals(404, routes.handle("HEAD", "/features/fraud/card-1").status());
    }

    @Test
    void healthSaysWhetherLookupsAreAnswered() throws Exception {
        FeatureRoutes.Reply ok = routes.handle("GET", "/health");
        assertEquals(200, ok.status());
        assertEquals("RUNNING", json(ok).get("state").asText());
        assertEquals("[\"fraud\",\"clicks\"]", json(ok).get("domains").toString());
        lookup.health = new FeatureLookup.Health(false, "REBALANCING", "");
        assertEquals(503, routes.handle("GET", "/health").status());
    }

    @Test
    void encodeAndDecodeRoundTrip() {
        for (String s : List.of("a", "card-1_x.y~z", "user/1", "a b", "é€😀", "%41", "+")) {
            assertEquals(s, FeatureRoutes.decode(FeatureRoutes.encode(s)), s);
        }
        assertThrows(IllegalArgumentException.class, () -> FeatureRoutes.decode("%C3%28"));
    }
}
