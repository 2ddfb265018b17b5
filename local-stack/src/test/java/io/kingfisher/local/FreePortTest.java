package io.kingfisher.local;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.PrimitiveIterator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FreePorts}: the broker's controller listener never gets the client listener's port, even when the OS offers it again. */
class FreePortTest {
    @Test
    void skipsThePortTheClientListenerTakes() {
        PrimitiveIterator.OfInt offers = IntStream.of(33333, 33333, 40000).iterator();
        assertEquals(40000, FreePorts.otherThan(33333, offers::nextInt));
    }

    @Test
    void saysSoWhenTheOsOffersNothingElse() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FreePorts.otherThan(33333, () -> 33333));
        assertTrue(e.getMessage().contains("33333"), e.getMessage());
    }

    @Test
    void aProbedPortCanBeBoundOnLoopback() throws Exception {
        int p = FreePorts.loopback();
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(p, s.getLocalPort());
        }
    }
}
