package io.kingfisher.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API (the Avro subset Kingfisher uses) over the JDK HTTP
 * server. Reads go to the {@link SchemaRegistryState}; writes go through {@link Writes}, which
 * stores them before they take effect. Answers use Confluent's JSON shapes and error codes.
 */
final class RegistryHttpHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Set<String> ACCEPTED_REQUEST_TYPES = Set.of(CONTENT_TYPE,
        "application/vnd.schemaregistry+json", "application/json", "application/octet-stream");
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The changes the handler asks for; each returns once the change is stored and in effect. */
    interface Writes {
        /** @return the schema id of the subject's version holding the schema */
        int register(String subject, String schema);

        /** @return the level now set */
        CompatibilityLevel setCompatibility(String subjectOrNull, String level);
    }

    private final SchemaRegistryState state;
    private final Writes writes;

    RegistryHttpHandler(SchemaRegistryState state, Writes writes) {
        this.state = state;
        this.writes = writes;
    }

    /** A response: status and body (JSON, or the raw schema text). */
    private record Answer(int status, String body) {
        static Answer ok(JsonNode json) {
            return new Answer(200, json.toString());
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawPath = exchange.getRequestURI().getRawPath();
        Answer answer;
        try {
            answer = route(method, segments(rawPath), query(exchange.getRequestURI().getRawQuery()), exchange);
        } catch (RegistryError e) {
            answer = error(e.httpStatus, e.errorCode, e.getMessage());
            if (e.httpStatus >= 500) {
                LOG.warn("{} {} failed: {}", method, rawPath, e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            LOG.error("{} {} failed unexpectedly", method, rawPath, e);
            answer = error(500, 50001, "Internal error in the schema registry: " + e);
        }
        try {
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
            LOG.debug("{} {} -> {} in {} ms", method, rawPath, answer.status(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    private Answer route(String method, List<String> path, Map<String, String> query, HttpExchange exchange)
        throws IOException {
        int n = path.size();
        String first = n > 0 ? path.get(0) : "";
        switch (first) {
            case "" -> {
                return n == 0 ? only(method, "GET", () -> Answer.ok(JSON.createObjectNode())) : notFound();
            }
            case "subjects" -> {
                if (n == 1) {
                    return only(method, "GET", () -> Answer.ok(strings(state.subjects())));
                }
                String subject = path.get(1);
                if (n == 2) {
                    return only(method, "POST", () -> {
                        SchemaRegistryState.SchemaEntry found = state.lookup(subject, schemaOf(readBody(exchange)));
                        return Answer.ok(metadata(found));
                    });
                }
                if (!path.get(2).equals("versions")) {
                    return notFound();
                }
                if (n == 3) {
                    if (method.equals("POST")) {
                        String schema = schemaOf(readBody(exchange));
                        return Answer.ok(JSON.createObjectNode().put("id", writes.register(subject, schema)));
                    }
                    return only(method, "GET", () -> Answer.ok(ints(state.versions(subject))));
                }
                if (n == 4) {
                    return only(method, "GET", () -> Answer.ok(metadata(state.version(subject, path.get(3)))));
                }
                if (n == 5 && path.get(4).equals("schema")) {
                    return only(method, "GET", () -> new Answer(200, state.version(subject, path.get(3)).schema()));
                }
                return notFound();
            }
            case "schemas" -> {
                if (n == 2 && path.get(1).equals("types")) {
                    return only(method, "GET", () -> Answer.ok(strings(List.of("AVRO"))));
                }
                if (n < 3 || n > 4 || !path.get(1).equals("ids")) {
                    return notFound();
                }
                int id;
                try {
                    id = Integer.parseInt(path.get(2));
                } catch (NumberFormatException e) {
                    return notFound();
                }
                if (n == 3) {
                    return only(method, "GET", () -> Answer.ok(JSON.createObjectNode().put("schema", state.schema(id))));
                }
                return switch (path.get(3)) {
                    case "schema" -> only(method, "GET", () -> new Answer(200, state.schema(id)));
                    case "subjects" -> only(method, "GET", () -> Answer.ok(strings(
                        state.usesOf(id).stream().map(SchemaRegistryState.SchemaEntry::subject).distinct().toList())));
                    case "versions" -> only(method, "GET", () -> {
                        ArrayNode out = JSON.createArrayNode();
                        state.usesOf(id).forEach(e -> out.addObject().put("subject", e.subject())
                            .put("version", e.version()));
                        return Answer.ok(out);
                    });
                    default -> notFound();
                };
            }
            case "compatibility" -> {
                if (n != 5 || !path.get(1).equals("subjects") || !path.get(3).equals("versions")) {
                    return notFound();
                }
                return only(method, "POST", () -> {
                    List<String> problems = state.compatibilityProblems(path.get(2), schemaOf(readBody(exchange)),
                        path.get(4));
                    ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
                    if ("true".equalsIgnoreCase(query.get("verbose"))) {
                        out.set("messages", strings(problems));
                    }
                    return Answer.ok(out);
                });
            }
            case "config" -> {
                if (n > 2) {
                    return notFound();
                }
                String subject = n == 2 ? path.get(1) : null;
                if (method.equals("PUT")) {
                    JsonNode body = readBody(exchange);
                    JsonNode level = body.get("compatibility");
                    CompatibilityLevel set = writes.setCompatibility(subject,
                        level == null || level.isNull() ? null : level.asText());
                    return Answer.ok(JSON.createObjectNode().put("compatibility", set.name()));
                }
                return only(method, "GET", () -> {
                    CompatibilityLevel level;
                    if (subject == null) {
                        level = state.globalCompatibility();
                    } else if ("true".equalsIgnoreCase(query.get("defaultToGlobal"))) {
                        level = state.effectiveCompatibility(subject);
                    } else {
                        level = state.subjectCompatibility(subject)
                            .orElseThrow(() -> RegistryError.subjectCompatibilityNotConfigured(subject));
                    }
                    return Answer.ok(JSON.createObjectNode().put("compatibilityLevel", level.name()));
                });
            }
            default -> {
                return notFound();
            }
        }
    }

    /** The body of a route that needs the request. */
    private interface Route {
        Answer answer() throws IOException;
    }

    private static Answer only(String method, String allowed, Route route) throws IOException {
        if (!method.equals(allowed)) {
            throw RegistryError.http(405, "Method Not Allowed");
        }
        return route.answer();
    }

    private static Answer notFound() {
        throw RegistryError.http(404, "Not Found");
    }

    private static Answer error(int status, int errorCode, String message) {
        return new Answer(status, JSON.createObjectNode().put("error_code", errorCode).put("message", message)
            .toString());
    }

    private static ObjectNode metadata(SchemaRegistryState.SchemaEntry entry) {
        return JSON.createObjectNode().put("subject", entry.subject()).put("version", entry.version())
            .put("id", entry.id()).put("schema", entry.schema());
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    private static ArrayNode ints(List<Integer> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    /** The Avro schema text of a register, lookup or compatibility request. */
    private static String schemaOf(JsonNode body) {
        JsonNode type = body.get("schemaType");
        if (type != null && !type.isNull() && !type.asText().equalsIgnoreCase("AVRO")) {
            throw RegistryError.invalidSchema("Invalid schema: schemaType '" + type.asText()
                + "' is not supported; this registry serves AVRO schemas only");
        }
        JsonNode references = body.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw RegistryError.invalidSchema("Invalid schema: schema references are not supported");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || schema.isNull()) {
            throw RegistryError.invalidSchema("Empty schema");
        }
        if (!schema.isTextual()) {
            throw RegistryError.invalidSchema("Invalid schema: 'schema' must be the schema as a JSON string");
        }
        return schema.textValue();
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!mediaType.isEmpty() && !ACCEPTED_REQUEST_TYPES.contains(mediaType)) {
                throw new RegistryError(415, 415, "HTTP 415 Unsupported Media Type: '" + contentType
                    + "'; send " + CONTENT_TYPE + " or application/json");
            }
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new RegistryError(413, 413, "HTTP 413 Request body larger than " + MAX_BODY_BYTES + " bytes");
        }
        try {
            JsonNode body = JSON.readTree(bytes);
            if (body == null || !body.isObject()) {
                throw new RegistryError(400, 400, "Request body must be a JSON object");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw new RegistryError(400, 400, "Malformed JSON in request body: " + e.getOriginalMessage());
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        if (rawPath == null) {
            return out;
        }
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                out.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }
}
