package io.kingfisher.streams.features;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The HTTP API of the feature lookup as a plain function of method and path, so it is tested without a server:
 * <ul>
 *   <li>{@code GET /features/{domain}/{entity}}: 200 with the vector's JSON ({@link FeatureVectorJson}); 404 naming
 *       the entity when it has no vector, or naming the domain when it is not served; 503 while the stores are not
 *       queryable (starting, rebalancing); 307 to the instance that hosts the entity when it is another one.</li>
 *   <li>{@code GET /health}: 200 when lookups are answered, else 503; {@code {"state","ready","domains","detail"}}.</li>
 *   <li>Any other path: 400; any other method than GET or HEAD: 405.</li>
 * </ul>
 * Path segments are percent-decoded as UTF-8, so an entity holding {@code /} is asked for as {@code %2F}.
 */
public final class FeatureRoutes {
    /** Path prefix of lookups. */
    public static final String FEATURES = "features";
    /** Path of the health check. */
    public static final String HEALTH = "/health";

    private final FeatureLookup lookup;

    /** @param lookup where vectors are looked up */
    public FeatureRoutes(FeatureLookup lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /**
     * An HTTP answer.
     *
     * @param status  the status code
     * @param body    the JSON body
     * @param headers extra headers (e.g. {@code Location}, {@code Retry-After})
     */
    public record Reply(int status, String body, Map<String, String> headers) {
        static Reply of(int status, String body) {
            return new Reply(status, body, Map.of());
        }
    }

    /**
     * @param method  the HTTP method
     * @param rawPath the request path as sent (not yet percent-decoded), without the query
     * @return the answer
     */
    public Reply handle(String method, String rawPath) {
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return new Reply(405, FeatureVectorJson.error("method " + method + " is not allowed: use GET", Map.of()),
                Map.of("Allow", "GET, HEAD"));
        }
        if (HEALTH.equals(rawPath)) {
            return health();
        }
        String[] parts = rawPath == null ? new String[0] : rawPath.split("/", -1);
        if (parts.length != 4 || !parts[0].isEmpty() || !FEATURES.equals(parts[1])) {
            return badPath(rawPath);
        }
        String domain;
        String entity;
        try {
            domain = decode(parts[2]);
            entity = decode(parts[3]);
        } catch (IllegalArgumentException e) {
            return Reply.of(400, FeatureVectorJson.error("bad path " + rawPath + ": " + e.getMessage(), Map.of()));
        }
        if (domain.isEmpty() || entity.isEmpty()) {
            return badPath(rawPath);
        }
        return lookup(domain, entity);
    }

    private Reply lookup(String domain, String entity) {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("domain", domain);
        ids.put("entity", entity);
        FeatureLookup.Result r = lookup.lookup(domain, entity);
        if (r instanceof FeatureLookup.Found found) {
            try {
                return Reply.of(200, FeatureVectorJson.render(found.vector()));
            } catch (IllegalArgumentException e) {
                return Reply.of(500, FeatureVectorJson.error("stored " + e.getMessage(), ids));
            }
        }
        if (r instanceof FeatureLookup.Missing) {
            return Reply.of(404, FeatureVectorJson.error("no features for entity '" + entity + "' in domain '"
                + domain + "'", ids));
        }
        if (r instanceof FeatureLookup.UnknownDomain unknown) {
            return Reply.of(404, FeatureVectorJson.error("domain '" + domain + "' is not served here (served: "
                + String.join(", ", unknown.served()) + ")", Map.of("domain", domain)));
        }
        if (r instanceof FeatureLookup.NotReady notReady) {
            return new Reply(503, FeatureVectorJson.error("features of domain '" + domain
                + "' cannot be looked up yet: " + notReady.reason(), ids), Map.of("Retry-After", "1"));
        }
        FeatureLookup.Elsewhere other = (FeatureLookup.Elsewhere) r;
        String location = "http://" + other.host() + ":" + other.port() + "/" + FEATURES + "/" + encode(domain) + "/"
            + encode(entity);
        return new Reply(307, FeatureVectorJson.error("entity '" + entity + "' of domain '" + domain
            + "' is served by " + other.host() + ":" + other.port(), ids), Map.of("Location", location));
    }

    private Reply health() {
        FeatureLookup.Health h = lookup.health();
        List<String> domains = lookup.domains();
        return Reply.of(h.ready() ? 200 : 503, FeatureVectorJson.health(h, domains));
    }

    private static Reply badPath(String rawPath) {
        return Reply.of(400, FeatureVectorJson.error("bad path " + rawPath + ": expected GET /" + FEATURES
            + "/{domain}/{entity} or GET " + HEALTH, Map.of()));
    }

    /**
     * Percent-decodes one path segment as UTF-8 ({@code +} stays a plus sign).
     *
     * @throws IllegalArgumentException for a {@code %} not followed by two hex digits, or bytes that are not UTF-8
     */
    static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                continue;
            }
            if (i + 2 >= segment.length()) {
                throw new IllegalArgumentException("'%' at position " + i + " of '" + segment
                    + "' is not followed by two hex digits");
            }
            int hi = Character.digit(segment.charAt(i + 1), 16);
            int lo = Character.digit(segment.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("'%" + segment.charAt(i + 1) + segment.charAt(i + 2)
                    + "' in '" + segment + "' is not a percent-encoded byte");
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        byte[] raw = bytes.toByteArray();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("'" + segment + "' does not decode to UTF-8 text");
        }
    }

    /** Percent-encodes everything but unreserved characters (RFC 3986), as UTF-8. */
    static String encode(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                    .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
