package io.kingfisher.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CheckpointPauses} against canned answers in the shape of Flink's REST API (ScoreJobIT reads a real one). */
class CheckpointPausesTest {
    private HttpServer server;
    private final Map<String, String> answers = new HashMap<>();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = answers.get(ex.getRequestURI().getPath());
            byte[] bytes = (body == null ? "{\"errors\":[\"Not found\"]}" : body).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        answers.put("/jobs/j1", "{\"vertices\":[{\"id\":\"v1\",\"name\":\"features\"},{\"id\":\"v2\",\"name\":\"score\"}]}");
        answers.put("/jobs/j1/checkpoints", """
                {"history":[
                 {"id":3,"status":"COMPLETED","trigger_timestamp":3000,"end_to_end_duration":90},
                 {"id":2,"status":"FAILED","trigger_timestamp":2000,"end_to_end_duration":5},
                 {"id":1,"status":"COMPLETED","trigger_timestamp":1000,"end_to_end_duration":70},
                 {"id":0,"status":"COMPLETED","trigger_timestamp":500,"end_to_end_duration":999}]}""");
        for (int id : new int[]{0, 1, 3}) {
            answers.put("/jobs/j1/checkpoints/details/" + id, "{\"tasks\":{\"v1\":{},\"v2\":{}}}");
        }
        answers.put("/jobs/j1/checkpoints/details/1/subtasks/v1", subtasks(60, 10, 0, 4));
        answers.put("/jobs/j1/checkpoints/details/3/subtasks/v1", subtasks(80, 12, 0, 6));
        answers.put("/jobs/j1/checkpoints/details/1/subtasks/v2", subtasks(3, 1, 20, 2));
        answers.put("/jobs/j1/checkpoints/details/3/subtasks/v2", """
                {"subtasks":[{"status":"completed","checkpoint":{"sync":5,"async":1},"alignment":{"duration":40},"start_delay":3},
                 {"status":"pending_or_failed"}]}""");
        answers.put("/jobs/j1/checkpoints/details/0/subtasks/v1", subtasks(999, 999, 999, 999));
        answers.put("/jobs/j1/checkpoints/details/0/subtasks/v2", subtasks(999, 999, 999, 999));
    }

    private static String subtasks(int sync, int async, int alignment, int startDelay) {
        // acknowledged 1 ms after the async part
        return String.format("{\"subtasks\":[{\"status\":\"completed\",\"checkpoint\":{\"sync\":%d,\"async\":%d},"
                        + "\"alignment\":{\"duration\":%d},\"start_delay\":%d,\"end_to_end_duration\":%d}]}", sync, async,
                alignment, startDelay, startDelay + alignment + sync + async + 1);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Test
    void summarisesTheCompletedCheckpointsOfTheSpanPerTask() throws IOException {
        CheckpointPauses p = CheckpointPauses.fetch(url(), "j1", 1000, 4000);
        assertEquals(2, p.checkpoints(), "the failed one and the one before the span are left out");
        assertEquals(70, p.endToEndMs().p50());
        assertEquals(90, p.endToEndMs().max());
        assertEquals(2, p.tasks().size());
        CheckpointPauses.Task features = p.tasks().get(0);
        assertEquals("features", features.name());
        assertEquals(60, features.syncMs().p50());
        assertEquals(80, features.syncMs().max());
        assertEquals(10, features.asyncMs().p50());
        assertEquals(4, features.startDelayMs().p50());
        CheckpointPauses.Task score = p.tasks().get(1);
        assertEquals("score", score.name());
        assertEquals(3, score.syncMs().p50(), "a subtask that did not complete is left out");
        assertEquals(40, score.alignmentMs().max());
        String text = p.toText();
        assertTrue(text.startsWith("2 in the measured run, end to end p50 70 ms, max 90 ms"), text);
        assertTrue(text.indexOf("features") < text.indexOf("score"), "largest pause first: " + text);
        assertEquals(List.of(new TailCauses.Span(1000, 1070), new TailCauses.Span(3000, 3090)), p.spans());
        // from the barrier's arrival (trigger + start delay) to the end of the synchronous part (acknowledged - async)
        assertEquals(List.of(new TailCauses.Span(1004, 1065), new TailCauses.Span(3006, 3087)), p.taskSpans().get("features"));
        // and from the end of alignment, for a task with several inputs: start delay 2, alignment 20, sync 3, async 1
        assertEquals(new TailCauses.Span(1022, 1026), p.taskSpans().get("score").get(0));
    }

    @Test
    void aSpanWithoutCheckpointsHasNone() throws IOException {
        CheckpointPauses p = CheckpointPauses.fetch(url(), "j1", 5000, 6000);
        assertEquals(0, p.checkpoints());
        assertTrue(p.tasks().isEmpty());
        assertTrue(Double.isNaN(p.endToEndMs().p50()));
    }

    @Test
    void anUnknownJobIsAnErrorNamingTheUrl() {
        IOException e = assertThrows(IOException.class, () -> CheckpointPauses.fetch(url(), "nope", 0, 1));
        assertTrue(e.getMessage().contains("/jobs/nope") && e.getMessage().contains("404"), e.getMessage());
    }
}
