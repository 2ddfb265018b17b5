package io.kingfisher.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A {@link SchemaRegistryClient} speaking the Confluent Schema Registry REST API over
 * {@link HttpClient}; works with Confluent, Karapace, Apicurio's ccompat API and Kingfisher's
 * embedded registry. Schemas by id and ids by (subject, schema) are cached, since they never change;
 * subject listings, latest versions and compatibility levels are always fetched.
 *
 * <p>The URL may list several registries separated by commas; a request that gets no answer from
 * one is tried on the next. Thread-safe.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** The content type of Confluent's REST API. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
        "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    /** Timeout of a request (and of connecting) unless another is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> baseUris;
    private final Duration timeout;
    private final Map<String, String> headers;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    /**
     * @param urls one registry URL, or several separated by commas, e.g. {@code http://127.0.0.1:8081}
     */
    public RestSchemaRegistryClient(String urls) {
        this(urls, DEFAULT_TIMEOUT, Map.of());
    }

    /**
     * @param urls one registry URL, or several separated by commas
     * @param timeout timeout of connecting and of each request
     * @param headers extra headers sent with every request, e.g. {@code Authorization}
     */
    public RestSchemaRegistryClient(String urls, Duration timeout, Map<String, String> headers) {
        this.baseUris = parseUrls(urls);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.headers = Map.copyOf(headers);
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    }

    private static List<URI> parseUrls(String urls) {
        Objects.requireNonNull(urls, "urls");
        List<URI> out = new ArrayList<>();
        for (String raw : urls.split(",")) {
            String url = raw.strip();
            if (url.isEmpty()) {
                continue;
            }
            while (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
            }
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schema registry URL '" + raw.strip() + "' is not a valid URI", e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException(
                    "schema registry URL '" + raw.strip() + "' must be an http:// or https:// URL with a host");
            }
            out.add(uri);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no schema registry URL given in '" + urls + "'");
        }
        return List.copyOf(out);
    }

    /** @return the registry URLs, as given */
    public List<String> urls() {
        return baseUris.stream().map(URI::toString).toList();
    }

    @Override
    public int register(String subject, Schema schema) {
        Objects.requireNonNull(schema, "schema");
        SubjectSchema key = new SubjectSchema(requireSubject(subject), schema);
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("POST", "/subjects/" + segment(subject) + "/versions", schemaBody(schema));
        int id = requiredInt(body, "id", "register");
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("GET", "/schemas/ids/" + id, null);
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new SchemaRegistryException(200, SchemaRegistryException.INVALID_SCHEMA,
                "schema id " + id + " at " + urls() + " is a " + type + " schema; only AVRO is supported", null);
        }
        Schema schema = parse(requiredText(body, "schema", "schema id " + id), "schema id " + id);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    @Override
    public SchemaMetadata getLatest(String subject) {
        return metadata(send("GET", "/subjects/" + segment(requireSubject(subject)) + "/versions/latest", null),
            subject);
    }

    @Override
    public SchemaMetadata getVersion(String subject, int version) {
        return metadata(send("GET", "/subjects/" + segment(requireSubject(subject)) + "/versions/" + version, null),
            subject);
    }

    @Override
    public Optional<SchemaMetadata> lookup(String subject, Schema schema) {
        Objects.requireNonNull(schema, "schema");
        try {
            SchemaMetadata found = metadata(
                send("POST", "/subjects/" + segment(requireSubject(subject)), schemaBody(schema)), subject);
            idsBySubjectSchema.put(new SubjectSchema(subject, schema), found.id());
            return Optional.of(found);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
                || e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<String> subjects() {
        JsonNode body = send("GET", "/subjects", null);
        List<String> out = new ArrayList<>();
        body.forEach(n -> out.add(n.asText()));
        out.sort(null);
        return out;
    }

    @Override
    public List<Integer> versions(String subject) {
        JsonNode body = send("GET", "/subjects/" + segment(requireSubject(subject)) + "/versions", null);
        List<Integer> out = new ArrayList<>();
        body.forEach(n -> out.add(n.asInt()));
        out.sort(null);
        return out;
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        Objects.requireNonNull(schema, "schema");
        try {
            JsonNode body = send("POST",
                "/compatibility/subjects/" + segment(requireSubject(subject)) + "/versions/latest", schemaBody(schema));
            JsonNode verdict = body.get("is_compatible");
            if (verdict == null || !verdict.isBoolean()) {
                throw unexpected("compatibility check of subject '" + subject + "'", "is_compatible", body);
            }
            return verdict.booleanValue();
        } catch (SchemaRegistryException e) {
            // Older registries answer 40401 for a subject without versions: anything is compatible.
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public String getCompatibility(String subjectOrNull) {
        if (subjectOrNull == null) {
            return requiredText(send("GET", "/config", null), "compatibilityLevel", "global compatibility");
        }
        try {
            JsonNode body = send("GET", "/config/" + segment(requireSubject(subjectOrNull)) + "?defaultToGlobal=true",
                null);
            return requiredText(body, "compatibilityLevel", "compatibility of subject '" + subjectOrNull + "'");
        } catch (SchemaRegistryException e) {
            // Registries that ignore defaultToGlobal answer 40408 for a subject without its own level.
            if (e.errorCode() == SchemaRegistryException.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED) {
                return getCompatibility(null);
            }
            throw e;
        }
    }

    @Override
    public void setCompatibility(String subjectOrNull, String level) {
        Objects.requireNonNull(level, "level");
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        String path = subjectOrNull == null ? "/config" : "/config/" + segment(requireSubject(subjectOrNull));
        send("PUT", path, body);
    }

    // ---------------------------------------------------------------------------------------------

    private static String requireSubject(String subject) {
        Objects.requireNonNull(subject, "subject");
        if (subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        return subject;
    }

    private static String segment(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ObjectNode schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private SchemaMetadata metadata(JsonNode body, String subject) {
        String what = "subject '" + subject + "'";
        return new SchemaMetadata(body.path("subject").asText(subject), requiredInt(body, "id", what),
            requiredInt(body, "version", what), requiredText(body, "schema", what));
    }

    private int requiredInt(JsonNode body, String field, String what) {
        JsonNode n = body.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw unexpected(what, field, body);
        }
        return n.intValue();
    }

    private String requiredText(JsonNode body, String field, String what) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual()) {
            throw unexpected(what, field, body);
        }
        return n.textValue();
    }

    private SchemaRegistryException unexpected(String what, String field, JsonNode body) {
        return new SchemaRegistryException(200, SchemaRegistryException.NO_RESPONSE,
            "schema registry " + urls() + " answered " + what + " without a valid '" + field + "': " + abbreviate(
                body.toString()), null);
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(200, SchemaRegistryException.INVALID_SCHEMA,
                "the registry's " + what + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private JsonNode send(String method, String pathAndQuery, JsonNode body) {
        String payload;
        try {
            payload = body == null ? null : JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write request JSON", e);
        }
        List<String> failures = new ArrayList<>();
        IOException lastFailure = null;
        for (URI base : baseUris) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(timeout)
                .header("Accept", ACCEPT);
            headers.forEach(request::header);
            if (payload != null) {
                request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (HttpTimeoutException e) {
                lastFailure = e;
                failures.add(base + " (no answer within " + timeout.toMillis() + " ms)");
                continue;
            } catch (IOException e) {
                lastFailure = e;
                failures.add(base + " (" + describe(e) + ")");
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                    SchemaRegistryException.NO_RESPONSE,
                    "interrupted during " + method + " " + pathAndQuery + " at schema registry " + base, e);
            }
            return answer(base, method, pathAndQuery, response);
        }
        throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
            "cannot reach schema registry at " + String.join(", ", failures) + " for " + method + " "
                + pathAndQuery, lastFailure);
    }

    private static JsonNode answer(URI base, String method, String pathAndQuery, HttpResponse<String> response) {
        int status = response.statusCode();
        String text = response.body() == null ? "" : response.body();
        JsonNode json = null;
        try {
            json = text.isBlank() ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // left null: reported below
        }
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new SchemaRegistryException(status, SchemaRegistryException.NO_RESPONSE,
                    "schema registry " + base + " answered " + method + " " + pathAndQuery
                        + " with HTTP " + status + " but no JSON body: '" + abbreviate(text) + "'", null);
            }
            return json;
        }
        int errorCode = status;
        String message = abbreviate(text);
        if (json != null && json.isObject()) {
            errorCode = json.path("error_code").asInt(status);
            message = json.path("message").asText(message);
        }
        throw new SchemaRegistryException(status, errorCode,
            "schema registry " + base + " refused " + method + " " + pathAndQuery + ": " + message
                + " (HTTP " + status + ", error code " + errorCode + ")", null);
    }

    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 300; t = t.getCause()) {
            if (out.length() > 0) {
                out.append(": ");
            }
            out.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return out.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient" + Arrays.toString(baseUris.toArray());
    }
}
