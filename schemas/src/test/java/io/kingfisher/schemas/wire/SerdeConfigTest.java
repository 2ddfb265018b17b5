package io.kingfisher.schemas.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kingfisher.schemas.core.Score;
import io.kingfisher.schemas.registry.RestSchemaRegistryClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class SerdeConfigTest {

    @SuppressWarnings("unchecked")
    private static <T> T javaRoundTrip(T object) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void survivesJavaSerializationAfterBuildingItsSerdes() throws Exception {
        SerdeConfig<Score> config = SerdeConfig.forValues("http://127.0.0.1:8081", Score.class);
        AvroWireSerializer<Score> built = config.serializer();
        assertSame(built, config.serializer(), "built once per instance");
        assertSame(config.client(), config.client());

        SerdeConfig<Score> copy = javaRoundTrip(config);
        assertEquals(config, copy);
        assertEquals(Score.class, copy.type());
        assertFalse(copy.isKey());
        assertTrue(copy.autoRegister());
        AvroWireSerializer<Score> rebuilt = copy.serializer();
        assertNotSame(built, rebuilt);
        assertEquals(Score.getClassSchema(), rebuilt.schema());
        assertEquals(List.of("http://127.0.0.1:8081"), ((RestSchemaRegistryClient) copy.client()).urls());
    }

    @Test
    void keysAndLookupOnlyCarryOver() throws Exception {
        SerdeConfig<Score> config = javaRoundTrip(
            SerdeConfig.forKeys("http://127.0.0.1:8081", Score.class).withAutoRegister(false));
        assertTrue(config.isKey());
        assertFalse(config.autoRegister());
        assertTrue(config.serializer().isKey());
        assertFalse(config.serializer().autoRegister());
    }

    @Test
    void unreachableRegistryIsRegistryUnavailableNamingTheUrl() throws Exception {
        String url = "http://127.0.0.1:" + closedPort();
        SerdeConfig<Score> config = SerdeConfig.forValues(url, Score.class);
        WireFormatException e = assertThrows(WireFormatException.class,
            () -> config.serde().serializer().serialize("fraud.scores", Score.newBuilder().setEventId("e")
                .setDomain("fraud").setEntity("c").setEventTime(1).setIngestTime(2).setScoreTime(3).setScore(0.5)
                .setModelVersion(1).setFeatureSpecHash("h").setFeatures(List.of(1f)).build()));
        assertEquals(WireFormatException.Kind.REGISTRY_UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("cannot reach schema registry at " + url), e.getMessage());
        assertTrue(e.getMessage().contains("fraud.scores-value"), e.getMessage());
    }

    @Test
    void blankUrlIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SerdeConfig.forValues(" ", Score.class));
        assertEquals("registryUrl must not be blank (record type io.kingfisher.schemas.core.Score)", e.getMessage());
    }
}
