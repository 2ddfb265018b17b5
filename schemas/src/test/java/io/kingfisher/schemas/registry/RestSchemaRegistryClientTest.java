package io.kingfisher.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the client does without a registry; the protocol is tested against the embedded registry (local-stack). */
class RestSchemaRegistryClientTest {

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void acceptsCommaSeparatedUrlsAndDropsTrailingSlashes() {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(" http://a:8081/ ,https://b:443");
        assertEquals(List.of("http://a:8081", "https://b:443"), client.urls());
    }

    @Test
    void rejectsUrlsItCannotUse() {
        assertEquals("schema registry URL 'ftp://a' must be an http:// or https:// URL with a host",
            assertThrows(IllegalArgumentException.class, () -> new RestSchemaRegistryClient("ftp://a")).getMessage());
        assertEquals("schema registry URL 'localhost:8081' must be an http:// or https:// URL with a host",
            assertThrows(IllegalArgumentException.class, () -> new RestSchemaRegistryClient("localhost:8081"))
                .getMessage());
        assertEquals("no schema registry URL given in ' , '",
            assertThrows(IllegalArgumentException.class, () -> new RestSchemaRegistryClient(" , ")).getMessage());
    }

    @Test
    void unreachableRegistriesAreAllNamed() throws IOException {
        String a = "http://127.0.0.1:" + closedPort();
        String b = "http://127.0.0.1:" + closedPort();
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(a + "," + b);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.getById(1));
        assertEquals(SchemaRegistryException.NO_RESPONSE, e.httpStatus());
        assertEquals(SchemaRegistryException.NO_RESPONSE, e.errorCode());
        assertTrue(e.isUnavailable());
        assertTrue(e.getMessage().startsWith("cannot reach schema registry at " + a + " ("), e.getMessage());
        assertTrue(e.getMessage().contains(", " + b + " ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("for GET /schemas/ids/1"), e.getMessage());
    }
}
